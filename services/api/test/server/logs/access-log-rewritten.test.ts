import t from 'tap'
import { authorization, buildApp } from '../../helper.js'
import { rawRequest } from '../../raw-http.js'

// The develop client's removal (`DELETE /admin/app/apns%3FappId=…`) is routed as `?appId=` (see
// powerauth-client-url.ts). Its access line is the URL that came, redacted as any other: the URL
// it was routed as had the rest of the path folded into the appId's value, a `&token=` included,
// where the redaction does not look, and showed a query the client never sent.
// guarantee: connect-access-line
t.test('a request routed under a rewritten URL is logged with the URL received, its token redacted', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  for (const auth of [`\r\nAuthorization: ${authorization}`, '']) {
    const response = await rawRequest(port, `DELETE /admin/app/apns%3FappId=mobile-app&token=secret-token-value HTTP/1.1\r\nHost: x${auth}`)
    t.equal(response.status, auth === '' ? 401 : 400, 'routed to the removal (an unknown application, or no credentials)')
  }
  const lines = logs().split('\n').filter((line) => line.includes('"msg":"request completed"') && line.includes('"DELETE"'))
  t.equal(lines.length, 2, 'one access line each')
  for (const line of lines) {
    t.equal(JSON.parse(line).req.url, '/admin/app/apns%3FappId=mobile-app&token=[redacted]', 'the URL as received, token redacted')
  }
  t.notOk(logs().includes('secret-token-value'), 'the token is nowhere in the log')
})
