import t from 'tap'
import { ConfigError, DATABASE_SCHEMA_RULE, databaseUrlSchema, EnvReader, readCommon } from '../src/index.js'

t.test('Prisma\'s schema parameter is read and taken out of the URL', async (t) => {
  t.same(databaseUrlSchema('postgresql://u:p@h:5432/db'), { schema: 'public', named: false, url: 'postgresql://u:p@h:5432/db' }, 'none: public, the URL untouched')
  t.same(databaseUrlSchema('postgresql://u:p%40ss@h:5432/db?schema=beacon_1&sslmode=require'),
    { schema: 'beacon_1', named: true, url: 'postgresql://u:p%40ss@h:5432/db?sslmode=require' })
  t.same(databaseUrlSchema('postgres://h/db?sslmode=disable&schema=Beacon'), { schema: 'Beacon', named: true, url: 'postgres://h/db?sslmode=disable' })
  t.same(databaseUrlSchema('postgresql://h/db?myschema=x'), { schema: 'public', named: false, url: 'postgresql://h/db?myschema=x' }, 'another parameter ending in "schema"')
})

t.test('a schema parameter that is not a plain name is refused, without the URL in the message', async (t) => {
  for (const bad of ['', '1st', 'a-b', 'a"b', 'a b', 'public,evil', 'x'.repeat(64), '%22x%22']) {
    t.equal(databaseUrlSchema(`postgresql://u:secret@h/db?schema=${bad}`), null, JSON.stringify(bad))
  }
  t.equal(databaseUrlSchema('postgresql://h/db?schema=a&schema=b'), null, 'named twice')
  t.ok(databaseUrlSchema(`postgresql://h/db?schema=${'x'.repeat(63)}`), '63 characters')
  const read = new EnvReader({ DATABASE_URL: 'postgresql://u:secret@h/db?schema=a;b' })
  readCommon(read)
  const error = t.throws(() => read.done()) as ConfigError
  t.same(error.problems, [DATABASE_SCHEMA_RULE])
  t.notMatch(error.message, /secret/)
})
