import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { assertReachableByPostgresUser } from '../../src/postgres-user-access.js'

// guarantee: embedded-postgres-runs-as-postgres
t.test('a data folder PostgreSQL cannot reach is refused up front when running as root', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'beacon-access-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  const open = join(root, 'open', 'data')
  const closed = join(root, 'closed', 'data')
  await mkdir(open, { recursive: true })
  await mkdir(closed, { recursive: true })
  await chmod(root, 0o755)
  await chmod(join(root, 'open'), 0o755)
  await chmod(join(root, 'closed'), 0o700)

  await t.resolves(assertReachableByPostgresUser(open), 'every folder on the way can be entered')
  await t.resolves(assertReachableByPostgresUser(join(open, 'not-yet-created')), 'missing folders are created 0755 later')
  if (process.getuid?.() === 0) {
    await t.rejects(assertReachableByPostgresUser(closed), {
      message: new RegExp(`cannot enter ${join(root, 'closed')} \\(mode 700\\)\\. Set BEACON_DATA_DIR`)
    })
  } else {
    // PostgreSQL then runs as the current user, who owns the folder.
    await t.resolves(assertReachableByPostgresUser(closed), 'no other user involved')
  }
})
