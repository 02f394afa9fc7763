import t from 'tap'
import { authorization, buildApp, call } from '../../helper.js'
import { parseResponse, rawConnection } from '../../raw-http.js'

const errorBody = (code: string, message: string | RegExp) => ({ status: 'ERROR', responseObject: { code, message } })
const device = { requestObject: { appId: 1, token: 'a'.repeat(64), platform: 'ios', activationId: 'a-1' } }

// guarantee: error-body
t.test('each kind of error answers PowerAuth\'s body with its status and code', async (t) => {
  const { app } = await buildApp(t, { BODY_LIMIT_BYTES: '1024' })
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/push/device/create', headers: { authorization, 'content-type': contentType }, payload })
  const cases: Array<[string, () => ReturnType<typeof call>, number, string]> = [
    ['a broken rule', () => call(app, 'POST', '/push/device/create', { requestObject: { ...device.requestObject, appId: -1 } }), 400, 'ERROR_GENERIC'],
    ['no credentials', () => app.inject({ method: 'GET', url: '/admin/app/list' }), 401, 'ERROR_UNAUTHORIZED'],
    ['no such endpoint', () => call(app, 'GET', '/push/nothing-here'), 404, 'ERROR_NOT_FOUND'],
    ['a body over BODY_LIMIT_BYTES', () => post(JSON.stringify({ requestObject: { pad: 'x'.repeat(2000) } })), 413, 'ERROR_REQUEST'],
    ['a body of a type the api does not read', () => post('<appId>1</appId>', 'application/xml'), 415, 'ERROR_REQUEST']
  ]
  for (const [what, request, status, code] of cases) {
    const response = await request()
    t.equal(response.statusCode, status, `${what}: ${response.body}`)
    t.match(response.headers['content-type'], /^application\/json/, `${what}: JSON`)
    t.same(Object.keys(response.json()), ['status', 'responseObject'], `${what}: nothing beside the envelope`)
    t.match(response.json(), errorBody(code, /\S/), `${what}: ${code} with a message`)
    t.same(Object.keys(response.json().responseObject), ['code', 'message'], `${what}: code and message only`)
  }
})

t.test('a defect is a 500 ERROR_INTERNAL whose message points to the log', async (t) => {
  const { app } = await buildApp(t)
  const query = app.db.pool.query
  app.db.pool.query = (() => { throw new TypeError('simulated defect') }) as typeof query
  t.teardown(() => { app.db.pool.query = query })
  const response = await call(app, 'POST', '/push/device/create', device)
  app.db.pool.query = query
  t.equal(response.statusCode, 500, response.body)
  t.same(response.json(), errorBody('ERROR_INTERNAL', 'internal error; see the server log'), 'the defect\'s own words stay in the log')
})

// guarantee: unknown-path-body-unread
t.test('a path no route has is a 404 before its body is read, for anyone', async (t) => {
  const { app } = await buildApp(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  // A JSON body announced and never ended (chunked): a server that read it first would wait for
  // the rest (up to BODY_LIMIT_BYTES, 5 MiB, then parse it); this one answers from the head.
  const answerTo = async (path: string, headers: string, giveUpMs = 5000) => {
    const connection = rawConnection(port)
    connection.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n${headers}\r\n` +
      '400\r\n{"requestObject":' + ' '.repeat(1024 - 17) + '\r\n')
    const answered = await connection.answeredWithin(giveUpMs)
    connection.socket.destroy()
    return answered ? parseResponse(connection.received()) : undefined
  }
  for (const [who, headers] of [['anonymous', ''], ['with credentials', `Authorization: ${authorization}\r\n`]]) {
    const answer = await answerTo('/push/nothing-here', headers!)
    t.equal(answer?.status, 404, `${who}: answered, 404`)
    t.same(answer === undefined ? undefined : JSON.parse(answer.body), errorBody('ERROR_NOT_FOUND', 'no endpoint POST /push/nothing-here'), `${who}: PowerAuth's body`)
    t.equal(answer?.headers.connection, 'close', `${who}: the connection closes rather than carry the unread body`)
  }
  // A known path still reads its body (and answers after it: the body never ends here).
  t.equal(await answerTo('/push/device/create', `Authorization: ${authorization}\r\n`, 1000), undefined, 'a route waits for its body')
})
