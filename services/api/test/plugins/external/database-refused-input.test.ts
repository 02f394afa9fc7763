import { createDb } from '@beacon/db'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { CARRIER, insertDeveloper, signedInject } from '../../routes/developer-api/signing-fixtures.js'

const MESSAGE = 'a value of the request is not one the database can store (out of range, too long or malformed); check the request\'s values'

// The schemas are meant to refuse every value the database cannot hold, so no route is known to
// reach such a refusal: a trigger makes the database refuse (as it does a value too long, out of
// range or malformed) what the routes write, and each path — Prisma, the pool, the signed API —
// must answer that it was the request, not the database, at fault.
// guarantee: database-refused-input
t.test('a value the database refuses as data: 400 in each API\'s body, not 503; logged with its SQLSTATE only', async (t) => {
  const { app, databaseUrl, logs } = await buildApp(t, {}, { captureLogs: true })
  await insertDeveloper(app)
  const db = createDb({ url: databaseUrl, poolSize: 1 })
  t.teardown(() => db.$disconnect())
  await db.pool.query(`
    CREATE FUNCTION refuse_as_data() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'value too long for type character varying(3): secret-value' USING ERRCODE = TG_ARGV[0]; END $$;
    CREATE TRIGGER refuse BEFORE INSERT ON application FOR EACH ROW EXECUTE FUNCTION refuse_as_data('22001');
    CREATE TRIGGER refuse BEFORE INSERT ON device FOR EACH ROW EXECUTE FUNCTION refuse_as_data('22003');
    CREATE TRIGGER refuse BEFORE INSERT ON signed_nonce FOR EACH ROW EXECUTE FUNCTION refuse_as_data('54000');`)

  const created = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 'refused' } })
  t.equal(created.statusCode, 400, 'Prisma')
  t.same(created.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: MESSAGE } })

  const registered = await call(app, 'POST', '/push/device/create', { requestObject: { appId: 1, token: 'a'.repeat(64), platform: 'ios', activationId: 'a-1' } })
  t.equal(registered.statusCode, 400, 'the pool')
  t.same(registered.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: MESSAGE } })

  const signed = await signedInject(app, { method: 'POST', url: `/api/1.0/push/alice@${CARRIER}`, body: JSON.stringify({ content: 'hi' }), contentType: 'application/json' })
  t.equal(signed.statusCode, 400, 'the signed API')
  t.same(signed.json(), { error: { status: 400, code: 40000, message: MESSAGE } })

  const lines = logs().split('\n').filter((line) => line.includes('the database refused a value of the request'))
  t.equal(lines.length, 3, 'each logged once')
  t.same(lines.map((line) => JSON.parse(line).sqlState), ['22001', '22003', '54000'], 'with its SQLSTATE')
  t.notOk(logs().includes('secret-value'), 'never with the database\'s message, which may quote the value')

  // The control: a database failure that is not about a value stays a 503.
  await db.pool.query(`DROP TRIGGER refuse ON application;
    CREATE TRIGGER refuse BEFORE INSERT ON application FOR EACH ROW EXECUTE FUNCTION refuse_as_data('53100')`)
  const full = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 'disk-full' } })
  t.equal(full.statusCode, 503, 'disk full (53100) is the database\'s failure')
})
