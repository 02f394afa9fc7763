import { isDateTime } from '@beacon/contracts'
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

/**
 * Schema compilers shared by every Fastify instance of this process. Fastify builds new ones per
 * instance, and compiling our ~80 routes' validators and serializers is most of what building the
 * app costs; a process that builds it more than once (the tests build hundreds) compiles each
 * schema once. Ajv keeps what it compiled per schema object; serializers are kept the same way.
 * Both are pure functions of the schema and the (fixed) options, so sharing them is safe.
 */
const buildValidator = AjvCompiler()

const serializerFactory = SerializerSelector()
const serializers = new WeakMap<object, (doc: unknown) => string>()

const buildSerializer: typeof serializerFactory = (externalSchemas, options) => {
  const compile = serializerFactory(externalSchemas, options)
  return (route) => {
    const schema = route.schema
    if (typeof schema !== 'object' || schema === null) return compile(route)
    let serializer = serializers.get(schema)
    if (serializer === undefined) serializers.set(schema, serializer = compile(route))
    return serializer
  }
}

/** Ajv's options for every route schema (Fastify's `ajv` setting); the tests validate examples with the same. */
export const ajvOptions = {
  customOptions: {
    // No coercion: a JSON `true` must not become the application id 1.
    coerceTypes: false,
    removeAdditional: false,
    allErrors: false,
    // parentSchema in errors, for messages that say what a field must be.
    verbose: true
  },
  // After ajv-formats: the one reading of a date-time (packages/contracts' isDateTime says why).
  onCreate: (ajv: { addFormat: (name: string, format: { type: 'string', validate: (value: string) => boolean }) => unknown }) => {
    ajv.addFormat('date-time', { type: 'string', validate: isDateTime })
  }
} as const

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>

export const sharedSchemaCompilers: CompilersFactory = { buildValidator, buildSerializer }
