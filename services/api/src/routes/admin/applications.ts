import {
  appIdAnswer, ApplicationDetailRequest, ApplicationDetailResponse, ApplicationListResponse,
  CreateApplicationRequest, CreateApplicationResponse, OkResponse, UpdateCarrierRequest
} from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  createApplication, listApplications, listUnconfiguredApplications, setCarrierDomain
} from '../../domain/admin/applications.js'
import { toDetail } from '../../domain/admin/application-detail.js'
import { requireApplicationByRef } from '../../domain/applications/lookup.js'

/** Listing, inspecting and creating applications, and their carrier domain. */
const applicationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/admin/app/list', { schema: { response: { 200: ApplicationListResponse } } }, async () => ({
    status: 'OK' as const,
    responseObject: { applicationList: await listApplications(app.db) }
  }))

  app.get('/admin/app/unconfigured/list', { schema: { response: { 200: ApplicationListResponse } } }, async () => ({
    status: 'OK' as const,
    responseObject: { applicationList: await listUnconfiguredApplications(app.db, app.powerAuth) }
  }))

  app.post('/admin/app/detail', {
    schema: { body: ApplicationDetailRequest, response: { 200: ApplicationDetailResponse } }
  }, async (request) => {
    const { id, appId, ...includes } = request.body.requestObject
    const application = await requireApplicationByRef(app.db, { id, appId })
    return { status: 'OK' as const, responseObject: toDetail(application, includes) }
  })

  app.post('/admin/app/create', {
    schema: { body: CreateApplicationRequest, response: { 200: CreateApplicationResponse } }
  }, async (request) => {
    const { appId, appName, carrierDomain } = request.body.requestObject
    const created = await createApplication(app.db, appId, appName, carrierDomain)
    return { status: 'OK' as const, responseObject: { id: created.id, appId: appIdAnswer(created.appId) } }
  })

  // The carrier domain routes `username@<carrierDomain>` of the signed developer API here.
  app.put('/admin/app/carrier', {
    schema: { body: UpdateCarrierRequest, response: { 200: OkResponse } }
  }, async (request) => {
    const { appId, carrierDomain } = request.body.requestObject
    await setCarrierDomain(app.db, appId, carrierDomain)
    return { status: 'OK' as const }
  })
}
export default applicationRoutes
