import { randomBytes, randomUUID } from 'node:crypto'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { consoleCall, expectBadRequest } from './fixtures.js'

const register = async (app: Awaited<ReturnType<typeof buildApp>>['app'], appId: string, userId: string) => {
  const response = await call(app, 'POST', '/push/device/create', { requestObject: { appId, userId, activationId: `${appId}-${userId}`, token: randomBytes(32).toString('hex'), platform: 'ios', activationStatus: 'ACTIVE' } })
  if (response.statusCode !== 200) throw new Error(response.body)
}

// guarantee: console-application-remove
t.test('an application goes with everything of it, once nothing of it is being sent; the others stay', async (t) => {
  const { app } = await buildApp(t)
  const gone = await app.db.application.create({ data: { appId: 'gone', name: 'Gone' } })
  const kept = await app.db.application.create({ data: { appId: 'kept', name: 'Kept' } })
  for (const user of ['alice', 'bob']) {
    await register(app, 'gone', user)
    await register(app, 'kept', user)
  }
  const developer = await call(app, 'POST', '/admin/developer/create', { requestObject: { name: 'Acme', applications: ['gone', 'kept'] } })
  t.equal(developer.statusCode, 200, developer.body)
  const message = await app.db.message.create({ data: { id: randomUUID(), applicationId: gone.id, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: {} } })
  const campaign = await app.db.campaign.create({ data: { applicationId: gone.id, message: { title: 'Hi', body: 'There' }, sentAt: new Date() } })

  // Still sending: a message not complete, a campaign sending.
  await expectBadRequest(t, app, 'application/remove', { appId: 'gone' }, /still sending \(1 messages not complete, 1 campaigns sending\)/)
  await app.db.message.update({ where: { id: message.id }, data: { completedAt: new Date() } })
  await expectBadRequest(t, app, 'application/remove', { appId: 'gone' }, /still sending \(0 messages not complete, 1 campaigns sending\)/)
  t.equal(await app.db.device.count({ where: { applicationId: gone.id } }), 2, 'refused: nothing removed')
  await app.db.campaign.update({ where: { id: campaign.id }, data: { completedAt: new Date() } })

  const removed = await consoleCall(app, 'application/remove', { appId: 'gone' })
  t.equal(removed.statusCode, 200, removed.body)
  t.same(removed.json().responseObject, { removed: true })
  t.equal(await app.db.application.count({ where: { appId: 'gone' } }), 0)
  t.equal(await app.db.device.count({ where: { applicationId: gone.id } }), 0, 'its devices went with it')
  t.equal(await app.db.deviceActivation.count({ where: { applicationId: gone.id } }), 0, 'and their activations')
  t.equal(await app.db.message.count({ where: { applicationId: gone.id } }), 0, 'its messages')
  t.equal(await app.db.campaign.count({ where: { applicationId: gone.id } }), 0, 'its campaigns')
  t.equal(await app.db.device.count({ where: { applicationId: kept.id } }), 2, 'the other application\'s devices stay')
  const grants = (await call(app, 'GET', '/admin/developer/list')).json().responseObject.developerList[0].applications
  t.same(grants.map((grant: { appId: string }) => grant.appId), ['kept'], 'the developer keeps its other grant')
  await expectBadRequest(t, app, 'application/remove', { appId: 'gone' }, /Application with appId gone does not exist/)
  await expectBadRequest(t, app, 'application/remove', {}, /appId/)
})

// guarantee: console-application-remove
t.test('a campaign not yet sent or already complete does not hold the removal back', async (t) => {
  const { app } = await buildApp(t)
  const draft = await app.db.application.create({ data: { appId: 'draft', name: 'Draft' } })
  await app.db.campaign.create({ data: { applicationId: draft.id, message: { title: 'Hi', body: 'There' } } })
  await app.db.campaign.create({ data: { applicationId: draft.id, message: { title: 'Hi', body: 'Again' }, sentAt: new Date(), completedAt: new Date() } })
  const removed = await consoleCall(app, 'application/remove', { appId: 'draft' })
  t.equal(removed.statusCode, 200, removed.body)
  t.equal(await app.db.campaign.count({ where: { applicationId: draft.id } }), 0, 'its campaigns went with it')
})
