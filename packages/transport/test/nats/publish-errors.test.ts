import { JetStreamApiError } from '@nats-io/jetstream'
import { ConnectionError, InvalidArgumentError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node'
import t from 'tap'
import { TransportErrorCode } from '../../src/index.js'
import { publishError } from '../../src/nats/publish-errors.js'

const apiError = (status: number, errCode: number, description: string) => new JetStreamApiError({ code: status, err_code: errCode, description })

t.test('a publish nobody answered is UNAVAILABLE (retried with its id), however deep the cause', async (t) => {
  const jetStreamNotEnabled = Object.assign(new Error('jetstream is not enabled', { cause: new RequestError('no responders', { cause: new NoRespondersError('beacon.commands') }) }), { name: 'JetStreamNotEnabled' })
  for (const [what, cause] of [
    ['timeout', new TimeoutError()],
    ['no responders', new NoRespondersError('beacon.commands')],
    ['a request error', new RequestError('failed')],
    ['disconnected', new ConnectionError('closed')],
    ['JetStream not enabled', jetStreamNotEnabled],
    ['JetStream unavailable (503)', apiError(503, 10008, 'JetStream system temporarily unavailable')],
    ['a timeout wrapped twice', new Error('outer', { cause: new Error('inner', { cause: new TimeoutError() }) })]
  ] as const) {
    t.match(publishError('beacon.commands', cause), { code: TransportErrorCode.UNAVAILABLE, cause }, what)
  }
})

t.test('a message the server will never take is PUBLISH_REFUSED: over max_payload or the stream\'s size limit', async (t) => {
  t.match(publishError('s', apiError(400, 10054, 'message size exceeds maximum allowed')), { code: TransportErrorCode.PUBLISH_REFUSED })
  t.match(publishError('s', new InvalidArgumentError("'payload' exceeds max_payload")), { code: TransportErrorCode.PUBLISH_REFUSED })
})

t.test('anything else is PUBLISH_FAILED', async (t) => {
  for (const cause of [new Error('connection closed'), apiError(400, 10060, 'expected stream does not match'), new InvalidArgumentError('bad subject'), 'not an error']) {
    t.match(publishError('s', cause), { code: TransportErrorCode.PUBLISH_FAILED }, String(cause))
  }
})
