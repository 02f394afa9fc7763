import { randomUUID } from 'node:crypto'
import t from 'tap'
import { call } from '../../helper.js'
import { post, setUp } from './fixtures.js'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../src/domain/developers/developers.js'

/**
 * The signed API stores its in-app messages as inbox rows with a developer (and one application,
 * the carrier's). They are the user's messages like any other: listed, counted, shown and read here.
 */
t.test('in-app messages of the signed API appear in every inbox endpoint', async (t) => {
  const { app } = await setUp(t)
  const carrier = await app.db.application.findUniqueOrThrow({ where: { appId: '2' } })
  await app.db.application.update({ where: { id: carrier.id }, data: { carrierDomain: 'carrier.example' } })
  const developerId = await allocateDeveloperId(app.db)
  const developer = await app.db.developer.create({
    data: {
      id: developerId,
      key: 'dev-key',
      name: 'Developer',
      secret: sealDeveloperSecret(app.secrets, developerId, 'developer-secret'),
      applications: { create: [{ applicationId: carrier.id }] }
    }
  })
  const id = randomUUID()
  const createdAt = new Date(Date.now() - 60_000)
  await app.db.inboxMessage.create({
    data: {
      id,
      userId: 'alice',
      type: 'TEXT',
      subject: 'From a developer',
      summary: 'In-app summary',
      body: 'In-app body',
      developerId: developer.id,
      sender: 'shop',
      pushContent: 'You have a message',
      createdAt,
      applications: { create: [{ applicationId: carrier.id }] }
    }
  })
  const posted = await post(t, app, { userId: 'alice', applications: [2] })

  const list = (await call(app, 'GET', '/inbox/messages/list?userId=alice&applications=2')).json()
  t.same(list.responseObject.map((item: { id: string }) => item.id), [posted.id, id])
  t.same(list.responseObject[1], {
    id, type: 'text', subject: 'From a developer', summary: 'In-app summary', read: false, timestampCreated: createdAt.toISOString()
  })
  t.same((await call(app, 'GET', '/inbox/messages/list?userId=alice&applications=1')).json().responseObject, [], 'not in another app')
  t.equal((await call(app, 'GET', '/inbox/messages/count?userId=alice&appId=2')).json().responseObject.countUnread, 2)

  const detail = (await call(app, 'GET', `/inbox/messages/detail?id=${id}`)).json().responseObject
  t.same([detail.userId, detail.applications, detail.body, detail.read], ['alice', [2], 'In-app body', false])
  t.notOk('sender' in detail || 'pushContent' in detail || 'developerId' in detail, 'signed-API internals stay out')

  const read = (await call(app, 'POST', '/inbox/messages/read', { requestObject: { inboxId: id } })).json().responseObject
  t.equal(read.read, true)
  t.equal((await call(app, 'GET', '/inbox/messages/count?userId=alice&appId=2')).json().responseObject.countUnread, 1)
  await call(app, 'POST', '/inbox/messages/read-all', { requestObject: { userId: 'alice', appId: 2 } })
  t.equal((await call(app, 'GET', '/inbox/messages/count?userId=alice&appId=2')).json().responseObject.countUnread, 0)
  const row = await app.db.inboxMessage.findUniqueOrThrow({ where: { id } })
  t.same([row.developerId, row.sender, row.read], [developer.id, 'shop', true], 'the signed-API columns are untouched')
})
