import pg from 'pg'
import t from 'tap'
import { createOutdatedTestDatabase } from './helpers/databases.js'

const MIGRATION = '20261205100000_campaign_delivery_insert_check'

// Between 20261205000000 (the foreign key dropped) and this migration, a dispatcher of the release
// before could insert the claims of a campaign removed meanwhile: the migration removes them.
t.test('the migration removes the deliveries of campaigns that are gone and keeps the others', async (t) => {
  const database = await createOutdatedTestDatabase(MIGRATION)
  t.teardown(database.drop)
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.teardown(() => client.end())
  const { rows: [app] } = await client.query<{ id: number }>("INSERT INTO application (app_id, name, updated_at) VALUES ('7', 'seven', now()) RETURNING id")
  const { rows: [live] } = await client.query<{ id: string }>("INSERT INTO campaign (application_id, message) VALUES ($1, '{}') RETURNING id", [app!.id])
  const { rows: [gone] } = await client.query<{ id: string }>("INSERT INTO campaign (application_id, message) VALUES ($1, '{}') RETURNING id", [app!.id])
  const claim = "INSERT INTO campaign_delivery (campaign_id, device_id, platform, chunk) SELECT $1::bigint, d, 'APNS', 0 FROM generate_series(1, 3) d"
  await client.query(claim, [live!.id])
  await client.query('DELETE FROM campaign WHERE id = $1::bigint', [gone!.id])
  await client.query(claim, [gone!.id])
  t.equal((await client.query('SELECT 1 FROM campaign_delivery')).rowCount, 6, 'before: nothing refused the orphans')

  t.equal((await database.migrate())[0], MIGRATION)
  const { rows } = await client.query<{ campaign_id: string }>('SELECT campaign_id FROM campaign_delivery')
  t.same(rows.map((row) => row.campaign_id), [live!.id, live!.id, live!.id], 'the live campaign\'s deliveries stay, the orphans are gone')
  t.match(await client.query(claim, [gone!.id]).catch((error: unknown) => error), { code: '23503' }, 'and such an insert is now refused')
})
