import t from 'tap'
import { reasonLabel } from '../../src/metrics/send-reasons.js'

t.test('a failed send\'s reason label is the sender\'s code when the sender knows it, else other', async (t) => {
  t.equal(reasonLabel('APNS', 'BadDeviceToken'), 'BadDeviceToken')
  t.equal(reasonLabel('APNS', 'TooManyRequests (after 5 attempts)'), 'TooManyRequests', 'the code of a reason with a suffix')
  t.equal(reasonLabel('APNS', 'PayloadTooLarge: the APNs payload is 5000 bytes, the limit is 4096'), 'PayloadTooLarge')
  t.equal(reasonLabel('FCM', 'registration-token-not-registered'), 'registration-token-not-registered')
  t.equal(reasonLabel('FCM', 'app/network-error (after 3 attempts)'), 'app/network-error')
  t.equal(reasonLabel('FCM', 'TokenEndpointRefused (HTTP 401)'), 'TokenEndpointRefused')
  t.equal(reasonLabel('APNS', 'SomethingAppleNeverSaid'), 'other', 'a word Apple might send tomorrow is not a label of its own')
  t.equal(reasonLabel('APNS', 'HTTP 418'), 'other', 'a status without a reason')
  t.equal(reasonLabel('FCM', 'BadDeviceToken'), 'other', 'another provider\'s code')
  t.equal(reasonLabel('APNS', 'APNs credentials of application com.example.secret-app were refused (InvalidProviderToken): check'), 'other',
    'a sentence naming an application')
  t.equal(reasonLabel('FCM', 'Expired before a retry was due (last: server-unavailable)'), 'other')
  t.equal(reasonLabel('APNS', undefined), 'other')
})
