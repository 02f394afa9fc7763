import type { RouteEntry } from '../../src/plugins/app/access/route-auth.js'
import { credentials } from '../helper.js'
import type { Json } from './mutations.js'

// What the attacked routes' valid requests refer to, and how their URLs are made (route-inputs.test.ts).
// The routes' PowerAuth-API scope reads bodies as Jackson writes them (app.ts: jacksonInput).
export const readsJackson = (url: string) => /^\/(push|inbox)\//.test(url) || url.startsWith('/admin/app/')
// Routes whose success takes something away the others need: attacked last.
export const destructive = (route: RouteEntry) => /\/(delete|remove|disable|rotate)$|\/send\/live\/|\/application\/remove$/.test(route.url) ||
  (route.url === '/console/api/session' && route.method === 'DELETE')

export interface Seeds {
  appId: string
  developerId: string
  otherDeveloperId: string
  campaignId: string
  messageId: string
  inboxId: string
  apnsKey: string
  fcmKey: string
}

/** A body each route takes, or would take but for the state of the database. */
export function baseBodies (seeds: Seeds): Record<string, Json> {
  const content = {
    title: 'Balance update',
    titleLocKey: 'balance.title',
    titleLocArgs: ['745'],
    body: 'Your balance is now $745.00',
    bodyLocKey: 'balance.body',
    bodyLocArgs: ['745'],
    badge: 3,
    sound: 'default',
    icon: 'custom-icon',
    category: 'balance-update',
    collapseKey: 'balance-update',
    validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    extras: { key: 'value' }
  }
  const message = { userId: 'user-1', activationId: 'act-1', priority: 'HIGH', attributes: { silent: false, personal: true }, body: content }
  const appId = seeds.appId
  const apns = { appId, bundle: 'com.example.app', keyId: 'KEY123ABCD', teamId: 'TEAM123ABC', environment: 'production', privateKeyBase64: seeds.apnsKey }
  const fcm = { appId, projectId: 'beacon-test', privateKeyBase64: seeds.fcmKey }
  const grants = { applications: [appId], carriers: ['carrier.example'] }
  return {
    '/push/device/create': { requestObject: { appId, token: 'token-1', platform: 'ios', environment: 'production', userId: 'user-1', activationStatus: 'ACTIVE', activationId: 'act-1' } },
    '/push/device/create/multi': { requestObject: { appId, token: 'token-2', platform: 'android', environment: 'production', userId: 'user-1', activationStatus: 'ACTIVE', activationIds: ['act-2', 'act-3'] } },
    '/push/device/remove': { requestObject: { appId, token: 'token-3' } },
    '/push/device/delete': { requestObject: { appId, token: 'token-3' } },
    '/push/device/status/update': { requestObject: { activationId: 'act-1', activationStatus: 'ACTIVE' } },
    '/admin/app/detail': { requestObject: { appId, includeIos: true, includeAndroid: true, includeApns: true, includeFcm: true } },
    '/admin/app/create': { requestObject: { appId: 'hostile-app', appName: 'Hostile', carrierDomain: 'hostile.example' } },
    '/admin/app/carrier': { requestObject: { appId, carrierDomain: 'carrier.example' } },
    '/admin/app/ios/update': { requestObject: apns },
    '/admin/app/ios/remove': { requestObject: { appId } },
    '/admin/app/android/update': { requestObject: fcm },
    '/admin/app/android/remove': { requestObject: { appId } },
    '/admin/app/apns': { requestObject: apns },
    '/admin/app/fcm': { requestObject: fcm },
    '/admin/app/huawei/update': { requestObject: { appId, projectId: 'huawei-project', clientId: 'huawei-client', clientSecret: HUAWEI_SECRET } },
    '/admin/app/huawei/remove': { requestObject: { appId } },
    '/admin/app/hms': { requestObject: { appId, projectId: 'huawei-project', clientId: 'huawei-client', clientSecret: HUAWEI_SECRET } },
    '/push/message/send': { requestObject: { appId, mode: 'ASYNCHRONOUS', message } },
    '/push/message/batch/send': { requestObject: { appId, mode: 'ASYNCHRONOUS', batch: [message] } },
    '/push/campaign/create': { requestObject: { appId, message: content } },
    '/push/campaign/:id/user/add': { requestObject: ['user-1', 'user-2'] },
    '/push/campaign/:id/user/delete': { requestObject: ['user-2'] },
    '/push/campaign/send/test/:id': { requestObject: { userId: 'user-1' } },
    '/inbox/messages': { requestObject: { userId: 'user-1', applications: [appId], type: 'text', subject: 'Statement ready', summary: 'Your statement', body: 'Open the app.', silent: false } },
    '/inbox/messages/read': { requestObject: { inboxId: seeds.inboxId } },
    '/inbox/messages/read-all': { requestObject: { userId: 'user-1', appId } },
    '/admin/developer/create': { requestObject: { name: 'Hostile developer', callbackUrl: null, ...grants } },
    '/admin/developer/detail': { requestObject: { id: seeds.otherDeveloperId } },
    '/admin/developer/update': { requestObject: { id: seeds.otherDeveloperId, name: 'Other developer', callbackUrl: null, ...grants } },
    '/admin/developer/rotate': { requestObject: { id: seeds.otherDeveloperId } },
    '/admin/developer/disable': { requestObject: { id: seeds.otherDeveloperId } },
    '/admin/developer/enable': { requestObject: { id: seeds.otherDeveloperId } },
    '/admin/console/device/search': { requestObject: { appId, userId: 'user-1', activationId: 'act-1', limit: 10, cursor: null } },
    '/admin/console/application/remove': { requestObject: { appId: 'doomed' } },
    '/admin/console/device/remove': { requestObject: { appId, deviceId: '999999' } },
    '/admin/console/message/list': { requestObject: { appId, limit: 10, cursor: null } },
    '/admin/console/message/outcomes': { requestObject: { appId, messageId: seeds.messageId, limit: 10, cursor: null } },
    '/admin/console/callback/list': { requestObject: { developerId: seeds.developerId, limit: 10, cursor: null } },
    '/admin/console/campaign/progress': { requestObject: { campaignId: seeds.campaignId } },
    '/console/api/session': { username: credentials.username, password: credentials.password },
    '/api/1.0/push/:address': { content: 'Your order has shipped', push: { content: 'Order shipped' }, sender: 'shop@carrier.example' },
    '/api/1.0/im/token': { user: 'alice@carrier.example' }
  }
}

/** Query strings each route takes, parameter by parameter (values as sent, before encoding). */
export const baseQueries = (seeds: Seeds, token: string): Record<string, Record<string, string>> => ({
  '/admin/app/apns': { appId: 'nothing-configured' },
  '/admin/app/fcm': { appId: 'nothing-configured' },
  '/admin/app/hms': { appId: 'nothing-configured' },
  '/push/campaign/list': { all: 'true' },
  '/push/campaign/:id/user/list': { page: '0', size: '10' },
  '/inbox/messages/list': { userId: 'user-1', applications: seeds.appId, onlyUnread: 'false', page: '0', size: '10' },
  '/inbox/messages/count': { userId: 'user-1', appId: seeds.appId },
  '/inbox/messages/detail': { id: seeds.inboxId },
  '/api/1.0/im/connect': { token }
})

export const baseParams = (seeds: Seeds, url: string): Record<string, string> =>
  url === '/api/1.0/push/:address'
    ? { address: 'alice@carrier.example' }
    : url === '/push/message/:id/detail' ? { id: seeds.messageId } : { id: seeds.campaignId }

export const pathWith = (url: string, params: Record<string, string>) => url.replace(/:(\w+)/g, (_, name: string) => params[name] ?? '1')
export const queryWith = (entries: Array<[string, string]>) => entries.length === 0 ? '' : `?${entries.map(([name, value]) => `${name}=${value}`).join('&')}`
export const encoded = (query: Record<string, string>): Array<[string, string]> => Object.entries(query).map(([name, value]) => [name, encodeURIComponent(value)])

export const HUAWEI_SECRET = 'huawei-client-secret-4f9d2c7a1b'
export const OTHER_SECRET = 'other-dev-secret-zyxwvutsrqponmlkjihgfedcba'
