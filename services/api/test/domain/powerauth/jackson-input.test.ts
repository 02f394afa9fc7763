import { MessageBody, SendBatchRequest, UpdateCarrierRequest, UpdateDeveloperRequest } from '@beacon/contracts'
import t from 'tap'
import { EPOCH_MILLISECONDS_FROM, instantFromEpochNumber, readJacksonValue } from '../../../src/domain/powerauth/jackson-input.js'

// guarantee: jackson-dates
t.test('epoch numbers: seconds (with a fraction) below 1e11, integer milliseconds from there', async (t) => {
  t.equal(instantFromEpochNumber(JSON.parse('1512940949.923000000')), '2017-12-10T21:22:29.923Z', 'an Instant as Jackson writes it')
  t.equal(instantFromEpochNumber(1512940949), '2017-12-10T21:22:29.000Z', 'whole seconds')
  t.equal(instantFromEpochNumber(1512940949923), '2017-12-10T21:22:29.923Z', 'a Date as Jackson writes it')
  t.equal(instantFromEpochNumber(0), '1970-01-01T00:00:00.000Z')
  t.equal(instantFromEpochNumber(EPOCH_MILLISECONDS_FROM - 1), '5138-11-16T09:46:39.000Z', 'the largest seconds')
  t.equal(instantFromEpochNumber(EPOCH_MILLISECONDS_FROM), '1973-03-03T09:46:40.000Z', 'the smallest milliseconds')
  t.equal(instantFromEpochNumber(253_402_300_799_999), '9999-12-31T23:59:59.999Z', 'the last instant a date-time field takes')
  for (const bad of [-1, -0.5, 1512940949923.5, 253_402_300_800_000, 8.64e15, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.equal(instantFromEpochNumber(bad), undefined, String(bad))
  }
})

t.test('nulls are absent fields, recursively through objects and arrays of objects', async (t) => {
  const body = {
    requestObject: {
      appId: 2,
      mode: null,
      batch: [
        { userId: 'u', activationId: null, attributes: { silent: null, personal: true }, body: { title: 't', badge: null, validUntil: 1512940949.923 } },
        { userId: 'v', body: { extras: null } }
      ],
      unknownField: null
    }
  }
  t.same(readJacksonValue(body, SendBatchRequest), {
    requestObject: {
      appId: 2,
      batch: [
        { userId: 'u', attributes: { personal: true }, body: { title: 't', validUntil: '2017-12-10T21:22:29.923Z' } },
        { userId: 'v', body: {} }
      ]
    }
  })
})

t.test('null stays where it means something: a schema that takes null, and free-form data', async (t) => {
  t.same(readJacksonValue({ requestObject: { appId: 2, carrierDomain: null } }, UpdateCarrierRequest),
    { requestObject: { appId: 2, carrierDomain: null } }, 'carrierDomain: null removes the carrier domain')
  t.same(readJacksonValue({ requestObject: { id: 1, callbackUrl: null, name: null } }, UpdateDeveloperRequest),
    { requestObject: { id: 1, callbackUrl: null } }, 'callbackUrl: null removes the URL; name: null is absent')
  t.same(readJacksonValue({ extras: { a: null, nested: { b: null } }, sound: null }, MessageBody),
    { extras: { a: null, nested: { b: null } } }, 'extras are the caller\'s data')
  t.same(readJacksonValue({ data: null, title: null }, { type: 'object', properties: { data: {}, title: { type: 'string' } } }),
    { data: null }, 'a field of no type is unknown data: its null is a value; a typed field\'s null is absent')
})

t.test('what the schema refuses is left for it to refuse', async (t) => {
  t.same(readJacksonValue({ validUntil: -5, badge: 'x' }, MessageBody), { validUntil: -5, badge: 'x' }, 'a negative date and a wrong type stay')
  t.same(readJacksonValue({ validUntil: '2030-01-01T00:00:00Z' }, MessageBody), { validUntil: '2030-01-01T00:00:00Z' }, 'an ISO string stays as given')
  t.equal(readJacksonValue(null, MessageBody), null, 'a null body stays null')
  t.same(readJacksonValue({ requestObject: [null, 'u'] }, { type: 'object', properties: { requestObject: { type: 'array', items: { type: 'string' } } } }),
    { requestObject: [null, 'u'] }, 'a null list item is no absent field')
})
