import pg from 'pg'
import t from 'tap'
import { groupCommit } from '../src/group-commit.js'

/** A run that records its groups and answers each item doubled, held until `release`d. */
function recordingRun () {
  const groups: number[][] = []
  const held: Array<() => void> = []
  const run = async (items: number[]) => {
    groups.push(items)
    await new Promise<void>((resolve) => held.push(resolve))
    if (items.includes(13)) throw new Error('13 is refused')
    return items.map((item) => item * 2)
  }
  const release = () => { for (const resolve of held.splice(0)) resolve() }
  return { groups, run, release }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test('calls of one turn run as one group, each caller gets its own answer', async (t) => {
  const { groups, run, release } = recordingRun()
  const write = groupCommit(run)
  const answers = Promise.all([write(1), write(2), write(3)])
  await turn()
  release()
  t.same(await answers, [2, 4, 6])
  t.same(groups, [[1, 2, 3]], 'one run for the three calls')
})

t.test('calls made while the groups in flight run form the next group, run as one slot frees', async (t) => {
  const { groups, run, release } = recordingRun()
  const write = groupCommit(run, { maxInFlight: 1 })
  const first = write(1)
  await turn()
  const later = [write(2), write(3)]
  await turn()
  await turn()
  t.same(groups, [[1]], 'nothing more starts while the first group runs')
  release()
  t.equal(await first, 2)
  await turn()
  release()
  t.same(await Promise.all(later), [4, 6])
  t.same(groups, [[1], [2, 3]], 'the two that waited went together')
})

t.test('a group is at most maxGroup items; the rest go in the next', async (t) => {
  const { groups, run, release } = recordingRun()
  const write = groupCommit(run, { maxInFlight: 2, maxGroup: 2 })
  const answers = Promise.all([1, 2, 3].map(write))
  await turn()
  t.same(groups, [[1, 2], [3]])
  release()
  t.same(await answers, [2, 4, 6])
})

t.test('a failed group is run again item by item: only the refused item fails its caller', async (t) => {
  const { groups, run, release } = recordingRun()
  const write = groupCommit(run)
  const calls = [write(12), write(13), write(14)].map((call) => call.then((value) => ({ value }), (error: Error) => ({ error: error.message })))
  await turn()
  release()
  await turn()
  release()
  t.same(await Promise.all(calls), [{ value: 24 }, { error: '13 is refused' }, { value: 28 }])
  t.same(groups, [[12, 13, 14], [12], [13], [14]])
})

t.test('a group of one is run once more when its statement may have been carried out: a lost answer is told from a refusal', async (t) => {
  const groups: number[][] = []
  let lost = false
  const write = groupCommit(async (items: number[]) => {
    groups.push(items)
    // PostgreSQL's refusal: nothing was written, and a second run would only be refused again.
    if (items.includes(13)) throw new pg.DatabaseError('13 is refused', 0, 'error')
    // No connection could be had, or made: nothing was sent.
    if (items.includes(14)) throw new Error('timeout exceeded when trying to connect')
    if (items.includes(15)) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    // The first run of 5 "commits" and loses its answer, as a connection dying after the commit.
    if (items.includes(5) && !lost) { lost = true; throw new Error('Connection terminated unexpectedly') }
    return items.map((item) => item * 2)
  })
  t.equal(await write(5), 10, 'answered by its second run')
  await t.rejects(write(13), /13 is refused/, 'a refusal is the caller\'s at once')
  await t.rejects(write(14), /timeout exceeded/, 'so is a connection that could not be had')
  await t.rejects(write(15), /ECONNREFUSED/, 'or made')
  t.same(groups, [[5], [5], [13], [14], [15]])
})

t.test('a group of one that PostgreSQL found in a deadlock is run once more', async (t) => {
  const groups: number[][] = []
  const write = groupCommit(async (items: number[]) => {
    groups.push(items)
    if (groups.length === 1) throw Object.assign(new pg.DatabaseError('deadlock detected', 0, 'error'), { code: '40P01' })
    return items.map((item) => item * 2)
  })
  t.equal(await write(7), 14)
  t.same(groups, [[7], [7]])
})

t.test('a group of one that fails again keeps its first failure beside its own, not as its cause', async (t) => {
  const runs: number[][] = []
  const write = groupCommit(async (items: number[]) => {
    runs.push(items)
    // The first run commits and loses its answer; the second finds what the first wrote.
    if (runs.length === 1) throw new Error('Connection terminated unexpectedly')
    throw Object.assign(new pg.DatabaseError('duplicate key value violates unique constraint "message_pkey"', 0, 'error'), { code: '23505' })
  })
  const refused = await write(6).then(() => undefined, (error: unknown) => error)
  t.same(runs, [[6], [6]], 'run again once')
  t.match(refused, { code: '23505', firstRunFailure: { message: 'Connection terminated unexpectedly' } }, 'the second failure is the caller\'s, the first beside it')
  // A cause would make the refusal read as an outage to a caller that walks the cause chain.
  t.equal((refused as Error).cause, undefined, 'not its cause')
})

t.test('a failed group of several does not give its failure to an item\'s own', async (t) => {
  const write = groupCommit(async (items: number[]) => {
    if (items.length > 1) throw new Error('the group failed')
    if (items[0] === 13) throw new Error('13 is refused')
    return items
  })
  const calls = [write(12), write(13)].map((call) => call.then(() => undefined, (error: unknown) => error))
  const [, refused] = await Promise.all(calls)
  t.equal((refused as Error).message, '13 is refused')
  t.equal((refused as { firstRunFailure?: unknown }).firstRunFailure, undefined, 'the group\'s failure is not the item\'s')
})

/** A run that answers at once, recording its groups. */
function answeringRun () {
  const groups: number[][] = []
  const run = async (items: number[]) => { groups.push(items); return items.map((item) => item * 2) }
  return { groups, run }
}

t.test('with a spacing, calls soon after a group started wait for the rest of it, then go together', async (t) => {
  const { groups, run } = answeringRun()
  // Far longer than the few turns below take, even on a loaded machine.
  const write = groupCommit(run, { spacingMs: 2000 })
  t.equal(await write(1), 2, 'the first call after a quiet spell starts at once')
  const later = [write(2)]
  await turn()
  later.push(write(3))
  await turn()
  await turn()
  t.same(groups, [[1]], 'the two later calls, made in different turns, wait: the database is free, the spacing is not over')
  t.same(await Promise.all(later), [4, 6])
  t.same(groups, [[1], [2, 3]], 'they went as one group once it was over')

  // Without a spacing the same calls go one group each.
  const plain = answeringRun()
  const plainWrite = groupCommit(plain.run)
  await plainWrite(1)
  const plainLater = [plainWrite(2)]
  await turn()
  plainLater.push(plainWrite(3))
  await Promise.all(plainLater)
  t.same(plain.groups, [[1], [2], [3]], 'without a spacing each starts as soon as it can')
})

t.test('with a spacing, a full group starts at once: waiting would not make it larger', async (t) => {
  const { groups, run } = answeringRun()
  const write = groupCommit(run, { spacingMs: 2000, maxGroup: 2 })
  await write(1)
  const later = [write(2)]
  await turn()
  later.push(write(3))
  await turn()
  await turn()
  t.same(groups, [[1], [2, 3]], 'the second call filled the group: it went inside the spacing')
  later.push(write(4), write(5), write(6))
  await turn()
  await turn()
  t.same(groups, [[1], [2, 3], [4, 5]], 'calls made in one turn fill a group alike')
  t.same(await Promise.all(later), [4, 6, 8, 10, 12])
  t.same(groups, [[1], [2, 3], [4, 5], [6]], 'the one left over waited for the spacing')
})

// guarantee: group-spacing
t.test('with a spacing, a call after a quiet spell starts at once', async (t) => {
  const { groups, run } = answeringRun()
  const write = groupCommit(run, { spacingMs: 30 })
  await write(1)
  await new Promise((resolve) => setTimeout(resolve, 60))
  const alone = write(2)
  await turn()
  t.same(groups, [[1], [2]], 'started in the next turn: the last group started longer ago than the spacing')
  t.equal(await alone, 4)
})
