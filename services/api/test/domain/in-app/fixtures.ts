import { createDb, type Db } from '@beacon/db'
import { createTestDatabase } from '@beacon/testkit'
import type { Test } from 'tap'

/**
 * A database of its own with one application and one developer granted it, through a pool of one
 * connection (so the statistics a test reads are those its own statements reported).
 */
export async function inAppDatabase (t: Test): Promise<{ db: Db, applicationId: number, developerId: number }> {
  const database = await createTestDatabase()
  const db = createDb({ url: database.url, poolSize: 1 })
  t.teardown(async () => { await db.$disconnect(); await database.drop() })
  const { rows: [application] } = await db.pool.query<{ id: number }>('INSERT INTO application (app_id, name, updated_at) VALUES (\'2\', \'app\', now()) RETURNING id')
  const { rows: [developer] } = await db.pool.query<{ id: number }>(
    'INSERT INTO developer (key, name, secret, updated_at) VALUES (\'k\', \'dev\', \'\\x00\', now()) RETURNING id')
  await db.pool.query('INSERT INTO developer_application (developer_id, application_id) VALUES ($1, $2)', [developer!.id, application!.id])
  return { db, applicationId: application!.id, developerId: developer!.id }
}
