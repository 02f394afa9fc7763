import SwaggerParser from '@apidevtools/swagger-parser'
import t from 'tap'
import { buildApp } from '../../helper.js'

type Api = Parameters<typeof SwaggerParser.validate>[0]

// guarantee: openapi-valid
t.test('/openapi.json answers without credentials with a valid OpenAPI 3.1 document', async (t) => {
  const { app } = await buildApp(t)
  const response = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  const document = response.json()
  t.equal(document.openapi, '3.1.0')
  t.ok(Object.keys(document.paths).length >= 40, 'the API\'s paths are in it')
  // validate() dereferences in place: a copy of its own. It throws on the first problem.
  const validated = await SwaggerParser.validate(structuredClone(document) as Api)
  t.ok(validated.info, 'swagger-parser accepts the document')
  t.same(response.json(), document, 'the same document every time')
})

t.test('a document that breaks the OpenAPI schema is refused by the same check (the check can fail)', async (t) => {
  const { app } = await buildApp(t)
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
  document.paths['/push/device/create'].post.responses = { 200: { content: {} } }
  await t.rejects(SwaggerParser.validate(document as Api))
})

// guarantee: docs-ui-served
t.test('/docs serves Swagger UI from the package\'s own assets, without credentials', async (t) => {
  const { app } = await buildApp(t)
  const page = await app.inject({ method: 'GET', url: '/docs' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /<div id="swagger-ui">/)
  t.match(page.headers['content-security-policy'], /default-src 'self'/, 'the page may load nothing from elsewhere')
  t.notMatch(page.body, /(?:src|href)="(?:https?:)?\/\//, 'no asset comes from another host')
  const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string)
  t.ok(assets.some((asset) => asset.endsWith('/swagger-ui-bundle.js')), 'the bundle is referenced')
  t.ok(assets.some((asset) => asset.endsWith('/swagger-initializer.js')), 'the initializer is referenced')
  for (const asset of assets) {
    const loaded = await app.inject({ method: 'GET', url: new URL(asset, 'http://beacon/docs').pathname })
    t.equal(loaded.statusCode, 200, `${asset} loads`)
    t.ok(loaded.rawPayload.length > 0, `${asset} is not empty`)
    if (asset.endsWith('.js')) t.match(loaded.headers['content-type'], /javascript/, `${asset} is served as JavaScript`)
  }
  // The initializer points the UI at ./json (relative to /docs/): the same document.
  const initializer = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
  t.match(initializer.body, /resolveUrl\('\.\/json'\)/)
  const json = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(json.statusCode, 200)
  t.same(json.json(), (await app.inject({ method: 'GET', url: '/openapi.json' })).json())
})

t.test('API_DOCS=false serves neither the document nor the UI', async (t) => {
  const { app } = await buildApp(t, { API_DOCS: 'false' })
  for (const url of ['/openapi.json', '/docs', '/docs/json', '/docs/static/swagger-ui-bundle.js']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 404, `${url} is not found`)
  }
  t.notOk(app.routeTable().some((route) => route.url === '/openapi.json' || route.url.startsWith('/docs')), 'no documentation route')
})

t.test('building the document leaves the routes\' validation schemas as they were', async (t) => {
  const { app } = await buildApp(t)
  const before = JSON.stringify(app.routeTable().map((route) => route.schema ?? null))
  t.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200)
  t.equal(JSON.stringify(app.routeTable().map((route) => route.schema ?? null)), before, 'no schema gained security, examples or answers')
  t.notMatch(before, /"examples"|"security"/, 'the document\'s additions live in the document only')
})
