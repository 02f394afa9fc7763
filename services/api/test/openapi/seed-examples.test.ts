import t from 'tap'
import { SEED_EXAMPLES, openapiPath } from '../../src/openapi/seed-examples.js'
import { ajvOptions, sharedSchemaCompilers } from '../../src/schema-compilers.js'
import { buildApp } from '../helper.js'

type Validate = ((value: unknown) => boolean) & { errors?: unknown }
// The api's own Ajv, with the options its routes validate with.
const compile = sharedSchemaCompilers.buildValidator?.({}, ajvOptions as never) as unknown as (route: { schema: unknown }) => Validate

function problems (schema: unknown, value: unknown): unknown {
  const validate = compile({ schema })
  return validate(value) ? null : validate.errors
}

// guarantee: openapi-seed-examples
t.test('the seed\'s examples are in the document and valid against their operations\' schemas', async (t) => {
  const { app } = await buildApp(t)
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
  const routes = app.routeTable()
  const entries = Object.entries(SEED_EXAMPLES)
  t.ok(entries.length >= 20, `the seed's operations (${entries.length})`)
  for (const [key, example] of entries) {
    const [method = '', path = ''] = key.split(' ')
    const route = routes.find((candidate) => candidate.method === method && openapiPath(candidate.url) === path)
    if (route === undefined) {
      t.fail(`${key}: the seed names an operation the api does not have`)
      continue
    }
    const schema = route.schema as { body?: unknown, response?: Record<string, unknown> } | undefined
    const operation = document.paths[path]?.[method.toLowerCase()]
    if (example.request !== undefined) {
      t.ok(schema?.body, `${key}: the route validates a body`)
      t.same(problems(schema?.body, example.request), null, `${key}: the request example is valid`)
      t.same(operation?.requestBody?.content?.['application/json']?.example, example.request, `${key}: the document shows the request example`)
    }
    if (example.response !== undefined) {
      t.same(problems(schema?.response?.['200'], example.response), null, `${key}: the response example is valid`)
      t.same(operation?.responses?.['200']?.content?.['application/json']?.example, example.response, `${key}: the document shows the response example`)
    }
  }
})
