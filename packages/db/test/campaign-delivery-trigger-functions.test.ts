import pg from 'pg'
import t from 'tap'
import { createOutdatedTestDatabase, createTestRole } from './helpers/databases.js'

const MIGRATION = '20261205210000_campaign_delivery_trigger_functions_own_tables'

const CLAIM = "INSERT INTO campaign_delivery (campaign_id, device_id, platform, chunk) SELECT $1::bigint, d, 'APNS', 0 FROM generate_series(1, 3) d"

// What a role could build while EXECUTE on the functions was PUBLIC (before 20261205200000): a
// trigger of its own table that calls one of them. Each is fired by a statement on that table only.
const OWN_TRIGGERS = [
  { fn: 'beacon_remove_campaign_deliveries', trigger: 'AFTER DELETE ON mine FOR EACH ROW', fire: 'DELETE FROM mine' },
  { fn: 'beacon_check_campaign_deliveries', trigger: 'AFTER INSERT ON mine REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT', fire: 'INSERT INTO mine (id, campaign_id) VALUES (0, 0)' },
  { fn: 'beacon_check_moved_campaign_delivery', trigger: 'AFTER UPDATE ON mine FOR EACH ROW', fire: 'UPDATE mine SET campaign_id = campaign_id' },
  { fn: 'beacon_refuse_campaign_id_change', trigger: 'AFTER UPDATE ON mine FOR EACH ROW', fire: 'UPDATE mine SET campaign_id = campaign_id' },
  { fn: 'beacon_truncate_campaign_deliveries', trigger: 'AFTER TRUNCATE ON mine FOR EACH STATEMENT', fire: 'TRUNCATE mine' }
]

// guarantee: campaign-delivery-trigger-functions-own-tables
t.test('a trigger another role put on its own table while EXECUTE was PUBLIC cannot run the functions as the owner', async (t) => {
  const database = await createOutdatedTestDatabase(MIGRATION)
  const role = await createTestRole()
  t.teardown(async () => {
    await database.drop()
    await role.drop()
  })
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.teardown(() => client.end())
  const { rows: [app] } = await client.query<{ id: number }>("INSERT INTO application (app_id, name, updated_at) VALUES ('7', 'seven', now()) RETURNING id")
  const { rows: [campaign] } = await client.query<{ id: string }>("INSERT INTO campaign (application_id, message) VALUES ($1, '{}') RETURNING id", [app!.id])
  const deliveries = async () => (await client.query('SELECT 1 FROM campaign_delivery')).rowCount
  await client.query(CLAIM, [campaign!.id])

  await client.query(`GRANT CREATE ON SCHEMA public TO "${role.name}"`)
  await client.query(`SET ROLE "${role.name}"`)
  await client.query('CREATE TABLE mine (id bigint, campaign_id bigint)')
  await client.query('RESET ROLE')
  await client.query('INSERT INTO mine (id, campaign_id) VALUES ($1::bigint, $1::bigint)', [campaign!.id])
  const asRole = async (sql: string) => {
    await client.query('BEGIN')
    await client.query(`SET LOCAL ROLE "${role.name}"`)
    try {
      await client.query(sql)
      await client.query('COMMIT')
      return 'accepted'
    } catch (error) {
      await client.query('ROLLBACK')
      return error
    }
  }
  // The window, replayed: EXECUTE as PUBLIC had it, the role's trigger made, EXECUTE revoked.
  const makeTrigger = async (own: typeof OWN_TRIGGERS[number]) => {
    const create = `CREATE TRIGGER own ${own.trigger} EXECUTE FUNCTION ${own.fn}()`
    t.match(await asRole(create), { code: '42501' }, `${own.fn}: no such trigger can be made today`)
    await client.query(`GRANT EXECUTE ON FUNCTION ${own.fn}() TO "${role.name}"`)
    t.equal(await asRole(create), 'accepted', `${own.fn}: made while EXECUTE was granted`)
    await client.query(`REVOKE EXECUTE ON FUNCTION ${own.fn}() FROM "${role.name}"`)
  }

  // Before the migration: deleting the role's own row removes a campaign's deliveries as the owner.
  const [remove] = OWN_TRIGGERS
  await makeTrigger(remove!)
  t.equal(await asRole(remove!.fire), 'accepted', 'before: the role deletes its own row')
  t.equal(await deliveries(), 0, 'before: and the campaign\'s deliveries went with it, though the role may not touch campaign_delivery')
  await client.query('DROP TRIGGER own ON mine')

  t.same(await database.migrate(), [MIGRATION])
  await client.query(CLAIM, [campaign!.id])
  for (const own of OWN_TRIGGERS) {
    await client.query('TRUNCATE mine')
    await client.query('INSERT INTO mine (id, campaign_id) VALUES ($1::bigint, $1::bigint)', [campaign!.id])
    await makeTrigger(own)
    t.match(await asRole(own.fire), { code: '42501', message: /^own runs for campaign(_delivery)? only, not for mine$/ }, `${own.fn}: refused for the role's own table`)
    await client.query('DROP TRIGGER own ON mine')
  }
  t.equal(await deliveries(), 3, 'the campaign\'s deliveries are all there')
})
