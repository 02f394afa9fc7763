import type { RouteEntry } from '../../src/plugins/app/access/route-auth.js'
import { ajvOptions, sharedSchemaCompilers } from '../../src/schema-compilers.js'

// Hostile values derived from a route's own schemas (route-inputs.test.ts).
export type Json = unknown
export interface Schema {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  anyOf?: Schema[]
  oneOf?: Schema[]
}
export interface Slot { path: Array<string | number>, schema: Schema, required: boolean }
export interface Attack {
  route: RouteEntry
  what: string
  url: string
  payload?: string
  /** The schema's verdict on the body as the route validates it (undefined: not a body mutation). */
  bodyValid?: boolean
}

export const HUGE = '9999999999999999999999'
export const LONG = 'x'.repeat(100_000)
export const LONE_SURROGATE = '\ud800'
// A number the schema's text could not express: spliced into the JSON text as is.
export const raw = (literal: string) => `@@raw:${literal}@@`
export const DROP = Symbol('drop')
export const jsonText = (value: Json) => JSON.stringify(value).replace(/"@@raw:([^@"]*)@@"/g, '$1')

// The api's own Ajv, with the options its routes validate with (as test/openapi/seed-examples.test.ts).
export type Validate = ((value: unknown) => boolean) & { errors?: unknown }
export const compile = sharedSchemaCompilers.buildValidator?.({}, ajvOptions as never) as unknown as (route: { schema: unknown }) => Validate

/** Every property path of a schema: properties, items (as index 0), object and array branches of anyOf/oneOf. */
export function slotsOf (schema: Schema, path: Array<string | number> = [], out = new Map<string, Slot>()): Slot[] {
  const visit = (node: Schema) => {
    for (const [key, property] of Object.entries(node.properties ?? {})) {
      const at = [...path, key]
      const name = JSON.stringify(at)
      const required = node.required?.includes(key) ?? false
      const known = out.get(name)
      if (known === undefined) out.set(name, { path: at, schema: property, required })
      else known.required ||= required
      slotsOf(property, at, out)
    }
    if (node.items !== undefined) {
      const at = [...path, 0]
      if (!out.has(JSON.stringify(at))) out.set(JSON.stringify(at), { path: at, schema: node.items, required: false })
      slotsOf(node.items, at, out)
    }
  }
  visit(schema)
  for (const branch of [...schema.anyOf ?? [], ...schema.oneOf ?? []]) visit(branch)
  return [...out.values()]
}

export function typesOf (schema: Schema): Set<string> {
  const types = new Set([schema.type ?? []].flat())
  for (const branch of [...schema.anyOf ?? [], ...schema.oneOf ?? []]) for (const type of typesOf(branch)) types.add(type)
  return types
}

export function valueAt (root: Json, path: Array<string | number>): Json {
  let node = root
  for (const key of path) node = (node as Record<string | number, Json> | undefined)?.[key]
  return node
}

/** A copy of `root` with the value at `path` replaced (containers created on the way), or removed. */
export function withValueAt (root: Json, path: Array<string | number>, value: Json | typeof DROP): Json {
  const copy = structuredClone(root) as Record<string | number, Json>
  let node = copy
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      if (value === DROP) {
        if (Array.isArray(node)) node.splice(Number(key), 1)
        else Reflect.deleteProperty(node, key)
      } else {
        node[key] = value
      }
    } else {
      const next = node[key]
      if (typeof next !== 'object' || next === null) node[key] = typeof path[i + 1] === 'number' ? [] : {}
      node = node[key] as Record<string | number, Json>
    }
  }
  return copy
}

/** The hostile replacements for one property of a body. */
export function hostileValues (slot: Slot, base: Json): Array<[string, Json | typeof DROP]> {
  const types = typesOf(slot.schema)
  const wantsString = types.has('string')
  const wantsNumber = types.has('integer') || types.has('number')
  const swapped = wantsString && wantsNumber ? true : wantsString ? 42 : wantsNumber ? '42' : types.has('boolean') ? 'true' : 'a string'
  const values: Array<[string, Json | typeof DROP]> = [
    ['null', null],
    ['the wrong type', swapped],
    ['a huge integer', raw(HUGE)],
    ['1e308', raw('1e308')],
    ['-1', -1],
    ['1.5', 1.5],
    ['an empty string', ''],
    ['a 100,000-character string', LONG],
    ['a lone surrogate', LONE_SURROGATE]
  ]
  if (!types.has('object')) values.push(['an object for a scalar', { hostile: { nested: [1] } }])
  if (types.has('array')) {
    const item = valueAt(base, [...slot.path, 0]) ?? 'x'
    values.push(['10,000 items', Array.from({ length: 10_000 }, () => item)])
  }
  if (slot.required) values.push(['dropped', DROP])
  return values
}

export const EXTRA = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`extra${i}`, i % 2 === 0 ? `value ${i}` : { i }]))

/** A valid body with 1,000 properties nobody asked for, at its top and in its requestObject. */
export function withExtraProperties (base: Json): Json {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return EXTRA
  const copy = { ...base as Record<string, Json>, ...EXTRA }
  const inner = copy.requestObject
  if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) copy.requestObject = { ...inner, ...EXTRA }
  return copy
}

// Hostile values of a path parameter or a query parameter, already URL-encoded.
export const HOSTILE_URL_VALUES: Array<[string, string]> = [
  ['null', 'null'],
  ['a huge integer', HUGE],
  ['1e308', '1e308'],
  ['-1', '-1'],
  ['1.5', '1.5'],
  ['an empty string', ''],
  ['a 100,000-character string', LONG],
  ['a lone surrogate (WTF-8)', '%ED%A0%80'],
  ['an invalid UTF-8 byte', '%FF'],
  ['a broken percent escape', '%E0%A4%A'],
  ['an encoded NUL', '%00'],
  ['a JSON object', encodeURIComponent('{"a":{"b":1}}')],
  ['encoded dot segments', '..%2F..%2Fadmin']
]
