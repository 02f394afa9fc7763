import {
  CreateDeveloperRequest, DeveloperIdRequest, DeveloperListResponse, DeveloperResponse,
  DeveloperSecretResponse, UpdateDeveloperRequest
} from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { CallbackPolicy } from '../../config.js'
import {
  createDeveloper, developerDetail, listDevelopers, rotateDeveloperSecret, setDeveloperEnabled, updateDeveloper
} from '../../domain/developers/developers.js'

const ok = <T>(responseObject: T) => ({ status: 'OK' as const, responseObject })

/**
 * `/admin/developer/*`: developers of the signed API (MAAIISDK10), their keys and the carriers they
 * may address. Registered in the PowerAuth API's scope: Basic auth (see app.ts). Only create and rotate answer
 * with the secret; the response schemas of the others have no field that could carry it.
 */
const developerAdminRoutes: FastifyPluginAsyncTypebox<{ callbackPolicy: CallbackPolicy }> = async (app, { callbackPolicy }) => {
  app.post('/admin/developer/create', {
    schema: { body: CreateDeveloperRequest, response: { 200: DeveloperSecretResponse } }
  }, async (request) => ok(await createDeveloper(app.db, app.secrets, request.body.requestObject, callbackPolicy)))

  app.get('/admin/developer/list', { schema: { response: { 200: DeveloperListResponse } } },
    async () => ok({ developerList: await listDevelopers(app.db) }))

  app.post('/admin/developer/detail', {
    schema: { body: DeveloperIdRequest, response: { 200: DeveloperResponse } }
  }, async (request) => ok(await developerDetail(app.db, request.body.requestObject.id)))

  // Grants may be gone, the secret or the developer with them: its in-app sockets everywhere are
  // checked again (its tokens are checked on every connect).
  const revoking = async <T extends { id: number }>(developer: T): Promise<T> => {
    await app.inApp.developerChanged(developer.id)
    return developer
  }

  app.put('/admin/developer/update', {
    schema: { body: UpdateDeveloperRequest, response: { 200: DeveloperResponse } }
  }, async (request) => ok(await revoking(await updateDeveloper(app.db, request.body.requestObject, callbackPolicy))))

  app.post('/admin/developer/rotate', {
    schema: { body: DeveloperIdRequest, response: { 200: DeveloperSecretResponse } }
  }, async (request) => ok(await revoking(await rotateDeveloperSecret(app.db, app.secrets, request.body.requestObject.id))))

  app.post('/admin/developer/disable', {
    schema: { body: DeveloperIdRequest, response: { 200: DeveloperResponse } }
  }, async (request) => ok(await revoking(await setDeveloperEnabled(app.db, request.body.requestObject.id, false))))

  app.post('/admin/developer/enable', {
    schema: { body: DeveloperIdRequest, response: { 200: DeveloperResponse } }
  }, async (request) => ok(await setDeveloperEnabled(app.db, request.body.requestObject.id, true)))
}
export default developerAdminRoutes
