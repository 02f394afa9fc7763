import t from 'tap'
import { ErrorAnswersByToken } from '../../../src/senders/fcm/error-answers.js'

// Two sends to one token (a user in two messages at once) whose answers come in the same turn:
// each note is made before either send takes its own. With one slot per token the first send
// took the second's answer (an UNREGISTERED lost, or another's Retry-After) and the second none.
t.test('answers noted for one token are taken in the order they were noted, each once', async (t) => {
  const answers = new ErrorAnswersByToken()
  answers.note('t', { fcmErrorCode: 'UNREGISTERED' })
  answers.note('t', { fcmErrorCode: 'INTERNAL', retryAfterSeconds: 5 })
  answers.note('other', { fcmErrorCode: 'INVALID_ARGUMENT' })
  t.same(answers.take('t'), { fcmErrorCode: 'UNREGISTERED' })
  t.same(answers.take('t'), { fcmErrorCode: 'INTERNAL', retryAfterSeconds: 5 })
  t.equal(answers.take('t'), undefined, 'nothing left for the token')
  t.same(answers.take('other'), { fcmErrorCode: 'INVALID_ARGUMENT' })
  t.equal(answers.size, 0, 'no token is kept once its answers are taken')
  t.equal(answers.take('never'), undefined)
})

// A send that timed out (or whose token request failed) while another send to the same token had
// its answer noted and not yet taken: the timeout takes nothing, the answer goes to its own send.
t.test('a failure not made from an answer takes no answer; one made from FCM\'s answer takes the oldest', async (t) => {
  const answers = new ErrorAnswersByToken()
  answers.note('t', { fcmErrorCode: 'UNREGISTERED' })
  const failure = (code: string) => Object.assign(new Error(code), { code })
  for (const code of ['app/network-timeout', 'app/network-error', 'app/invalid-credential', 'app/app-deleted']) {
    t.equal(answers.answerFor('t', failure(code)), undefined, code)
  }
  t.equal(answers.answerFor('t', new Error('socket hang up')), undefined, 'an error without a code')
  t.equal(answers.answerFor('t', null), undefined, 'no error object')
  t.same(answers.answerFor('t', failure('messaging/registration-token-not-registered')), { fcmErrorCode: 'UNREGISTERED' })
  t.equal(answers.size, 0)
})
