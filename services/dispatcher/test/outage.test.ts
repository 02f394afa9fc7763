import { TransportError, TransportErrorCode } from '@beacon/transport'
import t from 'tap'
import { outageOf } from '../src/outage.js'

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code })

t.test('an unreachable database or NATS is an outage; anything else is the command\'s own failure', async (t) => {
  t.equal(outageOf(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')), 'database')
  t.equal(outageOf(new Error('Connection terminated unexpectedly')), 'database')
  t.equal(outageOf(new Error('Query read timeout')), 'database', 'a statement unanswered within DATABASE_QUERY_TIMEOUT_MS: a silent database')
  t.equal(outageOf(withCode('terminating connection due to administrator command', '57P01')), 'database')
  t.equal(outageOf(withCode('the database system is starting up', '57P03')), 'database')
  t.equal(outageOf(new Error('wrapped', { cause: withCode('reset', 'ECONNRESET') })), 'database', 'found in the cause')
  t.equal(outageOf(new AggregateError([withCode('v6', 'ECONNREFUSED'), withCode('v4', 'ECONNREFUSED')])), 'database')
  t.equal(outageOf(new TransportError(TransportErrorCode.UNAVAILABLE, 'no answer')), 'nats')

  t.equal(outageOf(withCode('insert or update violates foreign key constraint', '23503')), null)
  t.equal(outageOf(new TransportError(TransportErrorCode.PUBLISH_FAILED, 'refused')), null)
  t.equal(outageOf(new TypeError('a defect')), null)
  t.equal(outageOf('not an error'), null)
})
