import t from 'tap'
import { clientWithRole, createOutdatedTestDatabase } from './helpers/databases.js'

const MIGRATION = '20261205210000_campaign_delivery_trigger_functions_own_tables'

const CLAIM = "INSERT INTO campaign_delivery (campaign_id, device_id, platform, chunk) SELECT $1::bigint, d, 'APNS', 0 FROM generate_series(1, 3) d"

// What a role could build while EXECUTE on the functions was PUBLIC (before 20261205200000): a
// trigger of a table of its own that calls one of them, fired by a statement on that table.
const OWN_TRIGGERS = [
  { fn: 'beacon_remove_campaign_deliveries', trigger: (table: string) => `AFTER DELETE ON ${table} FOR EACH ROW`, fire: (table: string) => `DELETE FROM ${table}` },
  { fn: 'beacon_check_campaign_deliveries', trigger: (table: string) => `AFTER INSERT ON ${table} REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT`, fire: (table: string) => `INSERT INTO ${table} (id, campaign_id) VALUES (0, 0)` },
  { fn: 'beacon_check_moved_campaign_delivery', trigger: (table: string) => `AFTER UPDATE ON ${table} FOR EACH ROW`, fire: (table: string) => `UPDATE ${table} SET campaign_id = campaign_id` },
  { fn: 'beacon_refuse_campaign_id_change', trigger: (table: string) => `AFTER UPDATE ON ${table} FOR EACH ROW`, fire: (table: string) => `UPDATE ${table} SET campaign_id = campaign_id` },
  { fn: 'beacon_truncate_campaign_deliveries', trigger: (table: string) => `AFTER TRUNCATE ON ${table} FOR EACH STATEMENT`, fire: (table: string) => `TRUNCATE ${table}` }
]
type OwnTrigger = typeof OWN_TRIGGERS[number]

// pg_catalog has no <>(oid, regclass) nor <>(regclass, regclass): one of exactly those operand
// types in the functions' schema would be chosen over pg_catalog's for `TG_RELID <> 'campaign'::regclass`
// (or with TG_RELID cast to regclass), and run as the owner.
const PLANTED_OPERATOR = `
  CREATE FUNCTION public.planted_ne(oid, regclass) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted operator ran as %', current_user; END $$;
  CREATE OPERATOR public.<> (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.planted_ne);
  CREATE FUNCTION public.planted_regclass_ne(regclass, regclass) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted operator ran as %', current_user; END $$;
  CREATE OPERATOR public.<> (LEFTARG = regclass, RIGHTARG = regclass, FUNCTION = public.planted_regclass_ne)`

// guarantee: campaign-delivery-trigger-functions-own-tables
t.test('a trigger another role put on its own table while EXECUTE was PUBLIC cannot run the functions as the owner', async (t) => {
  const database = await createOutdatedTestDatabase(MIGRATION)
  const { client, role } = await clientWithRole(t, database)
  const { rows: [app] } = await client.query<{ id: number }>("INSERT INTO application (app_id, name, updated_at) VALUES ('7', 'seven', now()) RETURNING id")
  const { rows: [campaign] } = await client.query<{ id: string }>("INSERT INTO campaign (application_id, message) VALUES ($1, '{}') RETURNING id", [app!.id])
  const deliveries = async () => (await client.query('SELECT 1 FROM campaign_delivery')).rowCount
  await client.query(CLAIM, [campaign!.id])

  // A role that may create in the schema (every role could in public before PostgreSQL 15) and in the database.
  await client.query(`GRANT CREATE ON SCHEMA public TO "${role.name}"`)
  await client.query(`GRANT CREATE ON DATABASE "${database.name}" TO "${role.name}"`)
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
  // Tables of the role's: one of its own name, one named campaign in a schema of its own, a temporary one named campaign.
  for (const sql of ['CREATE TABLE mine (id bigint, campaign_id bigint)', 'CREATE SCHEMA theirs', 'CREATE TABLE theirs.campaign (id bigint, campaign_id bigint)',
    'CREATE TEMPORARY TABLE campaign (id bigint, campaign_id bigint)']) t.equal(await asRole(sql), 'accepted', sql)
  const fillRoleTable = async (table: string) => {
    await client.query(`TRUNCATE ${table}`)
    await client.query(`INSERT INTO ${table} (id, campaign_id) VALUES ($1::bigint, $1::bigint)`, [campaign!.id])
  }
  // The window, replayed: EXECUTE as PUBLIC had it, the role's trigger made, EXECUTE revoked.
  const makeTrigger = async (own: OwnTrigger, table: string) => {
    const create = `CREATE TRIGGER own ${own.trigger(table)} EXECUTE FUNCTION ${own.fn}()`
    t.match(await asRole(create), { code: '42501' }, `${own.fn}: no such trigger can be made today`)
    await client.query(`GRANT EXECUTE ON FUNCTION ${own.fn}() TO "${role.name}"`)
    t.equal(await asRole(create), 'accepted', `${own.fn}: made on ${table} while EXECUTE was granted`)
    await client.query(`REVOKE EXECUTE ON FUNCTION ${own.fn}() FROM "${role.name}"`)
  }

  // Before the migration: deleting the role's own row removes a campaign's deliveries as the owner.
  const [remove] = OWN_TRIGGERS
  await fillRoleTable('mine')
  await makeTrigger(remove!, 'mine')
  t.equal(await asRole(remove!.fire('mine')), 'accepted', 'before: the role deletes its own row')
  t.equal(await deliveries(), 0, 'before: and the campaign\'s deliveries went with it, though the role may not touch campaign_delivery')
  await client.query('DROP TRIGGER own ON mine')

  t.equal((await database.migrate())[0], MIGRATION, 'the migration and any after it are applied')
  await client.query(CLAIM, [campaign!.id])
  t.equal(await asRole(PLANTED_OPERATOR), 'accepted', 'the role plants <>(oid, regclass) in public')
  const cases = [
    ...OWN_TRIGGERS.map((own) => ({ own, table: 'mine', refusal: /^own runs for campaign(_delivery)? only, not for mine$/ })),
    { own: remove!, table: 'theirs.campaign', refusal: /^own runs for campaign only, not for theirs\.campaign$/ },
    { own: remove!, table: 'pg_temp.campaign', refusal: /^own runs for campaign only, not for pg_temp_\d+\.campaign$/ }
  ]
  for (const { own, table, refusal } of cases) {
    await fillRoleTable(table)
    await makeTrigger(own, table)
    // A planted operator that ran would have raised its own error (P0001), as the owner.
    t.match(await asRole(own.fire(table)), { code: '42501', message: refusal }, `${own.fn}: refused for the role's ${table}`)
    await client.query(`DROP TRIGGER own ON ${table}`)
  }
  t.equal(await deliveries(), 3, 'the campaign\'s deliveries are all there')
  // Beacon's own use, with the operator still planted: a claim is checked, a removal takes the rows.
  t.match(await client.query(CLAIM, [String(BigInt(campaign!.id) + 1n)]).catch((error: unknown) => error), { code: '23503' }, 'a claim of a missing campaign is refused as before')
  // public.campaign: this session holds the role's temporary campaign, which comes first in its search path.
  await client.query('DELETE FROM public.campaign WHERE id = $1::bigint', [campaign!.id])
  t.equal(await deliveries(), 0, 'removing the campaign removes its deliveries')
})
