import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import apnsFcmRoutes from './apns-fcm.js'
import applicationRoutes from './applications.js'
import huaweiRoutes from './huawei.js'
import iosAndroidRoutes from './ios-android.js'

/** `/admin/app/*`: application configuration. Registered in the PowerAuth API's scope, whose hook is Basic auth (see app.ts). */
const adminRoutes: FastifyPluginAsyncTypebox<{ fcmTokenUris: string[] }> = async (app, { fcmTokenUris }) => {
  await app.register(applicationRoutes)
  await app.register(iosAndroidRoutes, { fcmTokenUris })
  await app.register(apnsFcmRoutes, { fcmTokenUris })
  await app.register(huaweiRoutes)
}
export default adminRoutes
