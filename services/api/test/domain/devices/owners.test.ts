import t from 'tap'
import { CONCURRENT_LOOKUPS, resolveActivationOwners } from '../../../src/domain/devices/owners.js'
import type { ActivationInfo, PowerAuthClient } from '../../../src/domain/powerauth/client.js'

/**
 * A PowerAuth client whose answers the test gives by hand: `bad` is refused at once, every other
 * activation waits in `pending` until the test answers it.
 */
function handAnsweredPowerAuth () {
  const asked: string[] = []
  const pending: Array<{ activationId: string, answer: (info: ActivationInfo) => void }> = []
  const client: PowerAuthClient = {
    timeoutMs: 60_000,
    activationStatus: async (activationId) => {
      asked.push(activationId)
      if (activationId === 'bad') throw new Error('PowerAuth refused bad')
      return await new Promise<ActivationInfo>((resolve) => pending.push({ activationId, answer: resolve }))
    },
    listApplications: async () => []
  }
  return { client, asked, pending }
}

// Every continuation of the look-ups runs in microtasks once an answer is given: one turn of the
// event loop later, any look-up they would start has started.
const settle = () => new Promise((resolve) => setImmediate(resolve))

t.test('once one look-up failed, the look-ups still in flight that then succeed start no more', async (t) => {
  const { client, asked, pending } = handAnsweredPowerAuth()
  const ids = ['bad', ...Array.from({ length: 30 }, (_, i) => `act-${String(i).padStart(2, '0')}`)]
  await t.rejects(resolveActivationOwners(client, ids, {}), { message: 'PowerAuth refused bad' })
  t.equal(asked.length, CONCURRENT_LOOKUPS, 'the first round only')
  for (const { activationId, answer } of pending.splice(0)) answer({ activationStatus: 'ACTIVE', userId: activationId })
  await settle()
  t.same(asked, ids.slice(0, CONCURRENT_LOOKUPS), 'no look-up started after the failure, though the others answered')
})

t.test('the answers, however they arrive, are the activations\' own and in the order asked', async (t) => {
  const { client, asked, pending } = handAnsweredPowerAuth()
  const ids = Array.from({ length: CONCURRENT_LOOKUPS + 3 }, (_, i) => `act-${String(i).padStart(2, '0')}`)
  const owners = resolveActivationOwners(client, ids, { userId: 'ignored', activationStatus: 'BLOCKED' })
  // Answered last first, until every activation was asked and answered.
  while (asked.length < ids.length || pending.length > 0) {
    const next = pending.pop()
    next?.answer({ activationStatus: 'PENDING_COMMIT', userId: `owner of ${next.activationId}` })
    await settle()
  }
  t.same(await owners, ids.map((activationId) => ({ activationId, activationStatus: 'PENDING_COMMIT', userId: `owner of ${activationId}` })),
    'PowerAuth\'s word for each, not the caller\'s')
  t.same([...asked].sort(), ids, 'each asked once')
})

t.test('without PowerAuth the caller\'s word stands for every activation; a missing status is ACTIVE', async (t) => {
  t.same(await resolveActivationOwners(null, ['a', 'b'], { userId: 'frank', activationStatus: 'BLOCKED' }), [
    { activationId: 'a', userId: 'frank', activationStatus: 'BLOCKED' },
    { activationId: 'b', userId: 'frank', activationStatus: 'BLOCKED' }
  ])
  t.same(await resolveActivationOwners(null, ['a'], {}), [{ activationId: 'a', userId: null, activationStatus: 'ACTIVE' }])
})
