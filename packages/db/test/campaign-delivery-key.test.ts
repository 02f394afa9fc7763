import pg from 'pg'
import t, { type Test } from 'tap'
import { createTestDatabase, createTestRole } from './helpers/databases.js'

// campaign_delivery has no foreign key to campaign (it checked every claimed row): triggers do
// what it did, once per statement (migrations 20261205000000, 20261205100000, 20261205200000).
// These tests write as any client of the database could, not through Beacon's own statements.

const FUNCTIONS = ['beacon_check_campaign_deliveries', 'beacon_check_moved_campaign_delivery', 'beacon_refuse_campaign_id_change',
  'beacon_remove_campaign_deliveries', 'beacon_truncate_campaign_deliveries']

const CLAIM = "INSERT INTO campaign_delivery (campaign_id, device_id, platform, chunk) SELECT $1::bigint, d, 'APNS', 0 FROM generate_series($2::int, $3::int) d"

/** A migrated database of the test's own, a client of it, an application, `campaigns` campaigns of it and `roles` roles. */
async function setUp (t: Test, campaigns: number, roles = 0) {
  const database = await createTestDatabase()
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  const created = await Promise.all(Array.from({ length: roles }, () => createTestRole()))
  t.teardown(async () => {
    await client.end()
    await database.drop()
    // After the database: a role with privileges in one cannot be dropped.
    for (const role of created) await role.drop()
  })
  const { rows: [app] } = await client.query<{ id: number }>("INSERT INTO application (app_id, name, updated_at) VALUES ('7', 'seven', now()) RETURNING id")
  const ids: string[] = []
  for (let i = 0; i < campaigns; i++) {
    const { rows: [campaign] } = await client.query<{ id: string }>("INSERT INTO campaign (application_id, message) VALUES ($1, '{}') RETURNING id", [app!.id])
    ids.push(campaign!.id)
  }
  const claim = (campaign: string, from = 1, to = 3) => client.query(CLAIM, [campaign, from, to])
  const deliveries = async () => (await client.query<{ campaign_id: string }>('SELECT campaign_id FROM campaign_delivery ORDER BY campaign_id, device_id')).rows.map((row) => row.campaign_id)
  return { database, client, campaigns: ids, roles: created.map((role) => role.name), claim, deliveries }
}

/** One more campaign of the database's application. */
async function setUpCampaign (client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>("INSERT INTO campaign (application_id, message) SELECT id, '{}' FROM application RETURNING id")
  return rows.map((row) => row.id)
}

const refusal = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => error)

// guarantee: campaign-deliveries-removed
t.test('TRUNCATE of campaign empties campaign_delivery, also when the same statement names both', async (t) => {
  const { client, campaigns: [first], claim, deliveries } = await setUp(t, 1)
  await claim(first!)
  await client.query('TRUNCATE campaign CASCADE')
  t.same(await deliveries(), [], 'TRUNCATE campaign CASCADE')
  const [again] = await setUpCampaign(client)
  await claim(again!)
  // The trigger's own TRUNCATE failed here: campaign_delivery is open in the statement.
  await client.query('TRUNCATE campaign, campaign_delivery CASCADE')
  t.same(await deliveries(), [], 'TRUNCATE campaign, campaign_delivery CASCADE')
  const [third] = await setUpCampaign(client)
  await claim(third!)
  await client.query('TRUNCATE campaign_delivery, campaign CASCADE')
  t.same(await deliveries(), [], 'TRUNCATE campaign_delivery, campaign CASCADE')
  const [fourth] = await setUpCampaign(client)
  await claim(fourth!)
  // A cursor of the session still reading campaign_delivery: its TRUNCATE fails too; rows go by DELETE.
  await client.query('BEGIN')
  await client.query('DECLARE reading CURSOR FOR SELECT * FROM campaign_delivery')
  await client.query('FETCH 1 FROM reading')
  await client.query('TRUNCATE campaign CASCADE')
  await client.query('COMMIT')
  t.same(await deliveries(), [], 'TRUNCATE campaign CASCADE while a cursor reads campaign_delivery')
})

// guarantee: campaign-delivery-checked-as-key
t.test('the trigger functions look up this schema, then pg_temp: a temporary table named like ours is never used', async (t) => {
  const { database, client, campaigns: [removed, kept], claim, deliveries } = await setUp(t, 2)
  const { rows } = await client.query<{ proname: string, proconfig: string[], prosecdef: boolean }>(
    'SELECT proname, proconfig, prosecdef FROM pg_proc WHERE proname = ANY($1) ORDER BY proname', [FUNCTIONS])
  t.same(rows, FUNCTIONS.map((proname) => ({ proname, proconfig: ['search_path=public, pg_temp'], prosecdef: proname !== 'beacon_truncate_campaign_deliveries' })), 'each pins its search_path; all but the TRUNCATE (which takes the caller\'s privileges, as the key\'s cascade did) run as their owner')

  await claim(kept!)
  await client.query('DELETE FROM campaign WHERE id = $1::bigint', [removed!])
  // A session's temporary tables come first in its own search_path unless pg_temp is named.
  const session = new pg.Client({ connectionString: database.url })
  await session.connect()
  t.teardown(() => session.end())
  await session.query('CREATE TEMPORARY TABLE campaign (id bigint)')
  await session.query('INSERT INTO pg_temp.campaign VALUES ($1::bigint)', [removed!])
  t.match(await refusal(session.query(CLAIM, [removed!, 1, 3])), { code: '23503' }, 'an insert into the removed campaign is refused: the temporary campaign was not checked')
  await session.query('CREATE TEMPORARY TABLE campaign_delivery (LIKE public.campaign_delivery)')
  await session.query('DELETE FROM public.campaign WHERE id = $1::bigint', [kept!])
  t.same(await deliveries(), [], 'a removal removed the deliveries of the real table, not of the temporary one')
})

// guarantee: campaign-delivery-checked-as-key
t.test('a role with the privileges the foreign key asked for claims and removes, the trigger\'s own lock and delete run as the owner', async (t) => {
  const { client, campaigns: [campaign], roles: [inserter, remover], deliveries } = await setUp(t, 1, 2)
  // As with the key: INSERT on campaign_delivery to claim (not UPDATE on campaign, which a
  // FOR KEY SHARE takes); DELETE (and SELECT, for its WHERE) on campaign to remove.
  await client.query(`GRANT INSERT ON campaign_delivery TO "${inserter!}"`)
  await client.query(`GRANT SELECT, DELETE ON campaign TO "${remover!}"`)
  await client.query('BEGIN')
  await client.query(`SET LOCAL ROLE "${inserter!}"`)
  await client.query(CLAIM, [campaign!, 1, 3])
  t.match(await refusal(client.query(CLAIM, [String(BigInt(campaign!) + 1n), 1, 3])), { code: '23503' }, 'into a missing campaign: refused by the check, not for privileges')
  await client.query('ROLLBACK')
  await client.query(CLAIM, [campaign!, 1, 3])
  // A role that may create functions here (every role could in public before PostgreSQL 15) plants
  // one the checks would call as the owner if they named built-ins without their schema.
  await client.query(`GRANT CREATE ON SCHEMA public TO "${inserter!}"`)
  await client.query('BEGIN')
  await client.query(`SET LOCAL ROLE "${inserter!}"`)
  await client.query("CREATE FUNCTION public.format(text, bigint) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE 'ran as %', current_user; END $$")
  t.match(await refusal(client.query(CLAIM, [String(BigInt(campaign!) + 1n), 1, 3])), { code: '23503' }, 'the planted format() never ran')
  await client.query('ROLLBACK')
  await client.query('BEGIN')
  await client.query(`SET LOCAL ROLE "${remover!}"`)
  t.equal((await client.query('DELETE FROM campaign WHERE id = $1::bigint', [campaign!])).rowCount, 1, 'the remover removes the campaign')
  await client.query('COMMIT')
  t.same(await deliveries(), [], 'and its deliveries with it, without a privilege on campaign_delivery')
})

// guarantee: campaign-delivery-checked-as-key
t.test('a delivery moved to a missing campaign is refused as by the key, and a campaign never takes another id', async (t) => {
  const { client, campaigns: [first, second, empty], claim, deliveries } = await setUp(t, 3)
  await claim(first!, 1, 2)
  await claim(second!, 3, 3)
  const missing = String(BigInt(empty!) + 100n)
  t.match(await refusal(client.query('UPDATE campaign_delivery SET campaign_id = $1::bigint WHERE device_id = 1', [missing])), { code: '23503', constraint: 'campaign_delivery_campaign_id_check' }, 'moved to a missing campaign')
  t.match(await refusal(client.query('UPDATE campaign SET id = $1::bigint WHERE id = $2::bigint', [missing, first!])), { code: '23503', constraint: 'campaign_delivery_campaign_id_check' }, 'a new id for a campaign with deliveries')
  t.match(await refusal(client.query('UPDATE campaign SET id = $1::bigint WHERE id = $2::bigint', [missing, empty!])), { code: '23503' }, 'and for one without (rows committed after a REPEATABLE READ snapshot would not be seen)')
  t.same(await deliveries(), [first, first, second], 'nothing changed')

  await client.query('UPDATE campaign_delivery SET campaign_id = $1::bigint WHERE device_id = 1', [second!])
  t.same(await deliveries(), [first, second, second], 'control: moved to a live campaign')
  // A row of a missing campaign, left with the check disabled: an update that keeps campaign_id
  // does not look for its campaign.
  await client.query('ALTER TABLE campaign_delivery DISABLE TRIGGER campaign_delivery_check_campaign')
  await claim(missing, 9, 9)
  await client.query("UPDATE campaign_delivery SET status = 'SENT' WHERE device_id = 9")
  t.equal((await client.query('SELECT status FROM campaign_delivery WHERE device_id = 9')).rows[0]?.status, 'SENT', 'an update that keeps campaign_id is not checked')
})
