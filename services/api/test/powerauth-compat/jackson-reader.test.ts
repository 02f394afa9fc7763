import t from 'tap'
import { readAs } from './jackson-reader.js'

// The corpus is only as good as this reader: each rule below is one Jackson would apply.

t.test('required fields must be present and not null; optional ones may be either', async (t) => {
  const shape = { 'id!': 'Long', name: 'String' }
  t.same(readAs(shape, { id: 1 }).problems, [])
  t.same(readAs(shape, { id: 1, name: null }).problems, [])
  t.same(readAs(shape, {}).problems, ['$.id: required, absent'])
  t.same(readAs(shape, { id: null }).problems, ['$.id: required, null'])
})

t.test('scalars are coerced as Jackson does by default, and the coercion is reported', async (t) => {
  const read = readAs({ id: 'Long', appId: 'String', sent: 'boolean' }, { id: '12', appId: 2, sent: 'true' })
  t.same(read.problems, [])
  t.same(read.coerced, ['$.id: Long from the text "12"'])
})

t.test('what Jackson refuses or reads wrongly is a problem', async (t) => {
  const shape = { a: 'Long', b: 'String', c: 'int', d: 'Integer', e: 'boolean', f: 'Map', g: ['String'] }
  t.same(readAs(shape, { a: 'mobile-app', b: { x: 1 }, c: 1.5, d: 2 ** 31, e: 1, f: [], g: 'x' }).problems, [
    '$.a: a Long, got string "mobile-app"',
    '$.b: a String, got an object',
    '$.c: a int, got the fraction 1.5 (Jackson would truncate it)',
    '$.d: a Integer, 2147483648 is out of its range',
    '$.e: a boolean, got number 1',
    '$.f: a Map (JSON object), got an array',
    '$.g: a List/array, got string "x"'
  ])
})

t.test('Instant: epoch seconds (decimal or integer) and UTC ISO-8601; milliseconds are refused', async (t) => {
  for (const value of [1906545600.923, 1906545600, '1906545600.923000000', '2030-06-01T12:00:00.923Z', '2030-06-01T12:00:00+00:00']) {
    t.same(readAs({ v: 'Instant' }, { v: value }).problems, [], `accepts ${value}`)
  }
  t.same(readAs({ v: 'Instant' }, { v: 1906545600923 }).problems, ['$.v: an Instant in epoch SECONDS, got 1906545600923 (milliseconds would be read as seconds)'])
  t.same(readAs({ v: 'Instant' }, { v: '2030-06-01T14:00:00+02:00' }).problems.length, 1, 'a non-UTC offset')
})

t.test('Date: epoch milliseconds and ISO-8601 text', async (t) => {
  for (const value of [1906545600923, '1906545600923', '2019-01-22T14:59:14.954+0000', '2030-06-01T12:00:00.923Z', '2030-06-01']) {
    t.same(readAs({ v: 'Date' }, { v: value }).problems, [], `accepts ${value}`)
  }
  t.same(readAs({ v: 'Date' }, { v: 'yesterday' }).problems, ['$.v: a Date (epoch milliseconds or ISO-8601), got string "yesterday"'])
})

t.test('enums: constant names exactly, or in any case behind an upper-casing @JsonCreator', async (t) => {
  t.same(readAs({ m: 'enum:SYNCHRONOUS|ASYNCHRONOUS' }, { m: 'ASYNCHRONOUS' }).problems, [])
  t.same(readAs({ m: 'enum:SYNCHRONOUS|ASYNCHRONOUS' }, { m: 'synchronous' }).problems, ['$.m: one of SYNCHRONOUS, ASYNCHRONOUS, got "synchronous"'])
  t.same(readAs({ e: 'enum-ci:DEVELOPMENT|PRODUCTION' }, { e: 'production' }).problems, [])
  t.same(readAs({ e: 'enum-ci:DEVELOPMENT|PRODUCTION' }, { e: 'sandbox' }).problems, ['$.e: one of DEVELOPMENT, PRODUCTION (any case), got "sandbox"'])
})

t.test('nested classes, lists and named classes; unknown properties are collected apart', async (t) => {
  const classes = { Item: { 'id!': 'Long' } }
  const read = readAs({ 'items!': ['ref:Item'] }, { items: [{ id: 1, extra: true }, {}], more: 1 }, classes)
  t.same(read.problems, ['$.items[1].id: required, absent'])
  t.same(read.unknown, ['$.items[0].extra', '$.more'])
})
