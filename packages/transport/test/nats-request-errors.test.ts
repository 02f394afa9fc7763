// nats.js built a RequestError, with its stack trace, for every answered request (each JetStream
// publish): cancel() rejected the already resolved promise with it, a no-op. patches/ removes it
// (it was the api's costliest JavaScript frame sending single messages). This holds the patch to
// the installed library: an answered request builds none, a request nobody answers still fails.
import { testNatsUrl } from '@beacon/testkit'
import { connect, RequestError } from '@nats-io/transport-node'
import t, { type Test } from 'tap'

// The constructor assigns `this.name`: a setter on the prototype sees every RequestError built.
function countRequestErrors (t: Test): () => number {
  let built = 0
  const proto = RequestError.prototype as object
  Object.defineProperty(proto, 'name', {
    configurable: true,
    get: () => 'RequestError',
    set (this: Error, value: string) {
      built++
      Object.defineProperty(this, 'name', { value, writable: true, configurable: true, enumerable: false })
    }
  })
  t.teardown(() => { delete (proto as { name?: string }).name })
  return () => built
}

t.test('an answered request builds no RequestError; an unanswered one still fails as one', async (t) => {
  const nc = await connect({ servers: testNatsUrl, noAsyncTraces: true })
  t.teardown(() => nc.close())
  const subject = `beacon.test.request-errors.${process.pid}.${Date.now()}`
  const responder = nc.subscribe(subject, { callback: (_error, message) => { message.respond(message.data) } })
  t.teardown(() => { responder.unsubscribe() })
  await nc.flush()
  const built = countRequestErrors(t)

  for (let i = 0; i < 50; i++) {
    const answer = await nc.request(subject, `ping ${i}`, { timeout: 2000 })
    t.equal(answer.string(), `ping ${i}`)
  }
  t.equal(built(), 0, 'no RequestError for 50 answered requests')

  const error = await nc.request(`${subject}.nobody`, 'ping', { timeout: 2000 }).then(() => undefined, (failure: unknown) => failure)
  t.type(error, RequestError, 'a request no one answers still rejects with a RequestError')
  t.ok(built() >= 1, 'and builds it')
})
