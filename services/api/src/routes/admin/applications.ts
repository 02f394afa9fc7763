import {
  ApplicationDetailRequest, ApplicationDetailResponse, ApplicationListResponse,
  CreateApplicationRequest, CreateApplicationResponse
} from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createApplication, listApplications, listUnconfiguredApplications } from '../../domain/admin-applications.js'
import { toDetail } from '../../domain/admin-detail.js'
import { requireApplicationById } from '../../domain/applications.js'

/** Listing, inspecting and creating applications. */
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
    const { id, ...includes } = request.body.requestObject
    const application = await requireApplicationById(app.db, id)
    return { status: 'OK' as const, responseObject: toDetail(application, includes) }
  })

  app.post('/admin/app/create', {
    schema: { body: CreateApplicationRequest, response: { 200: CreateApplicationResponse } }
  }, async (request) => {
    const { appId, appName } = request.body.requestObject
    return { status: 'OK' as const, responseObject: { id: await createApplication(app.db, appId, appName) } }
  })
}
export default applicationRoutes
