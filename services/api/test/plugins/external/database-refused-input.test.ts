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
t.test('a value the database refuses as data: 400 in each API\'s body, not 503; logged with its SQLSTATE, never the value; the rest of class 22 stays 503', async (t) => {
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
  t.match(JSON.parse(lines[1]!), { level: 40, routine: 'exec_stmt_raise' }, 'at warn and, through the pool, with the routine that refused it')
  t.notOk(logs().includes('secret-value'), 'never with the database\'s message, which may quote the value')

  // The controls: what in class 22 is ours when it happens, and a failure that is not about a value, stay 503.
  for (const state of ['22012', '53100']) {
    await db.pool.query(`DROP TRIGGER refuse ON application;
      CREATE TRIGGER refuse BEFORE INSERT ON application FOR EACH ROW EXECUTE FUNCTION refuse_as_data('${state}')`)
    const failed = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: `failed-${state}` } })
    t.equal(failed.statusCode, 503, `${state} is the database's failure, or ours`)
  }
  // A real one: the application ids used up (2200H).
  await db.pool.query('DROP TRIGGER refuse ON application')
  const { rows: [last] } = await db.pool.query<{ n: string }>('SELECT last_value::text AS n FROM application_id_seq')
  await db.pool.query(`ALTER SEQUENCE application_id_seq MAXVALUE ${last!.n}`)
  const exhausted = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 'one-too-many' } })
  t.equal(exhausted.statusCode, 503, 'a sequence at its end is not the client\'s to change')
  t.equal(exhausted.json().responseObject.code, 'ERROR_DATABASE')
})
