/**
 * The name, tag and summary of every operation in the document, by path (OpenAPI form) and method.
 * Operation ids are written here, never derived from the code, so that a generated client keeps
 * its method names when a route moves or is refactored. A route missing here is still documented
 * (with a derived id), and the coverage test names it.
 */
export interface OperationEntry {
  tag: string
  summary: string
  description?: string
  /** The operation id per method the path takes. */
  ids: Record<string, string>
}

export const TAGS = [
  { name: 'Service', description: 'PowerAuth API: the service status (Basic auth).' },
  { name: 'Devices', description: 'PowerAuth API: device push tokens bound to activations (Basic auth).' },
  { name: 'Messages', description: 'PowerAuth API: sending push messages and looking their outcome up (Basic auth).' },
  { name: 'Campaigns', description: 'PowerAuth API: one message to a list of users, sent once (Basic auth).' },
  { name: 'Applications', description: 'PowerAuth API: applications and their carrier domains (Basic auth).' },
  { name: 'Credentials', description: 'PowerAuth API: APNs and FCM credentials of an application (Basic auth).' },
  { name: 'Inbox', description: 'PowerAuth API: the users\' inbox messages (Basic auth).' },
  { name: 'Developers', description: 'Developers of the signed API, their keys, secrets and applications (Basic auth).' },
  { name: 'Console', description: 'Read-only views for the admin console: devices, messages and their outcomes, callbacks; a page at a time (Basic auth, or the console session cookie with the X-Beacon-Console header).' },
  { name: 'Console session', description: 'The admin console\'s sign-in, who is signed in, and logout: a signed session cookie (every request carries X-Beacon-Console: 1).' },
  { name: 'Signed API', description: 'The signed developer API under /api/1.0 (MAAIISDK10).' },
  { name: 'In-app channel', description: 'Tokens for the in-app channel (signed) and the channel itself (a WebSocket opened with a token).' },
  { name: 'Operations', description: 'Liveness, readiness and Prometheus metrics, for orchestrators and scrapers (no credentials).' }
] as const

const PAGED = 'A page at a time: `limit` (1 to 200, default 50) and the previous page\'s `nextCursor` as `cursor`; `nextCursor` is null after the last page.'

const both = (method: string) => `The same with ${method} (PowerAuth's controller takes both).`

export const OPERATIONS: Record<string, OperationEntry> = {
  '/healthz': { tag: 'Operations', summary: 'Liveness: the process answers', ids: { GET: 'getLiveness' } },
  '/readyz': { tag: 'Operations', summary: 'Readiness: PostgreSQL, NATS and the work-queue streams answer (503 names the failing parts)', ids: { GET: 'getReadiness' } },
  '/metrics': {
    tag: 'Operations',
    summary: 'Prometheus metrics (text exposition format)',
    description: 'Served here only while METRICS_PORT is unset; with METRICS_PORT it moves to a listener of its own.',
    ids: { GET: 'getMetrics' }
  },

  '/push/service/status': { tag: 'Service', summary: 'Service status', ids: { GET: 'getServiceStatus' } },

  '/push/device/create': { tag: 'Devices', summary: 'Register a device for an activation', ids: { POST: 'createDevice' } },
  '/push/device/create/multi': { tag: 'Devices', summary: 'Register a device for several activations', ids: { POST: 'createDeviceMulti' } },
  '/push/device/remove': { tag: 'Devices', summary: 'Remove a device by its push token', ids: { DELETE: 'removeDevice' } },
  '/push/device/delete': {
    tag: 'Devices',
    summary: 'Remove a device by its push token (PowerAuth\'s name)',
    description: both('POST or DELETE'),
    ids: { POST: 'deleteDevice', DELETE: 'deleteDeviceWithDelete' }
  },
  '/push/device/status/update': {
    tag: 'Devices',
    summary: 'Update the activation status of a device\'s registrations',
    description: both('POST or PUT'),
    ids: { POST: 'updateDeviceStatus', PUT: 'updateDeviceStatusWithPut' }
  },

  '/push/message/send': { tag: 'Messages', summary: 'Send a message to a user', ids: { POST: 'sendMessage' } },
  '/push/message/batch/send': { tag: 'Messages', summary: 'Send a batch of messages', ids: { POST: 'sendMessageBatch' } },
  '/push/message/{id}/detail': { tag: 'Messages', summary: 'Where a message stands', ids: { GET: 'getMessageDetail' } },

  '/push/campaign/create': { tag: 'Campaigns', summary: 'Create a campaign', ids: { POST: 'createCampaign' } },
  '/push/campaign/{id}/delete': {
    tag: 'Campaigns',
    summary: 'Delete a campaign with its users',
    description: both('DELETE or POST'),
    ids: { DELETE: 'deleteCampaign', POST: 'deleteCampaignWithPost' }
  },
  '/push/campaign/{id}/detail': { tag: 'Campaigns', summary: 'A campaign and its progress', ids: { GET: 'getCampaignDetail' } },
  '/push/campaign/list': { tag: 'Campaigns', summary: 'List campaigns', ids: { GET: 'listCampaigns' } },
  '/push/campaign/{id}/user/add': {
    tag: 'Campaigns',
    summary: 'Add users to a campaign',
    description: both('PUT or POST'),
    ids: { PUT: 'addCampaignUsers', POST: 'addCampaignUsersWithPost' }
  },
  '/push/campaign/{id}/user/list': { tag: 'Campaigns', summary: 'A page of a campaign\'s users', ids: { GET: 'listCampaignUsers' } },
  '/push/campaign/{id}/user/delete': {
    tag: 'Campaigns',
    summary: 'Remove users from a campaign',
    description: both('DELETE or POST'),
    ids: { DELETE: 'deleteCampaignUsers', POST: 'deleteCampaignUsersWithPost' }
  },
  '/push/campaign/send/test/{id}': { tag: 'Campaigns', summary: 'Send a campaign\'s message to one test user', ids: { POST: 'sendCampaignTest' } },
  '/push/campaign/send/live/{id}': { tag: 'Campaigns', summary: 'Send a campaign to all its users (once)', ids: { POST: 'sendCampaignLive' } },

  '/admin/app/list': { tag: 'Applications', summary: 'List applications', ids: { GET: 'listApplications' } },
  '/admin/app/unconfigured/list': { tag: 'Applications', summary: 'List PowerAuth applications not yet configured here', ids: { GET: 'listUnconfiguredApplications' } },
  '/admin/app/detail': { tag: 'Applications', summary: 'An application and its configuration', ids: { POST: 'getApplicationDetail' } },
  '/admin/app/create': { tag: 'Applications', summary: 'Create an application', ids: { POST: 'createApplication' } },
  '/admin/app/carrier': { tag: 'Applications', summary: 'Set an application\'s carrier domain (signed API addresses)', ids: { PUT: 'setApplicationCarrier' } },

  '/admin/app/ios/update': {
    tag: 'Credentials',
    summary: 'Store APNs credentials (by id or appId)',
    description: both('PUT or POST'),
    ids: { PUT: 'updateIos', POST: 'updateIosWithPost' }
  },
  '/admin/app/ios/remove': {
    tag: 'Credentials',
    summary: 'Remove APNs credentials (by id or appId)',
    description: both('DELETE or POST'),
    ids: { DELETE: 'removeIos', POST: 'removeIosWithPost' }
  },
  '/admin/app/android/update': {
    tag: 'Credentials',
    summary: 'Store FCM credentials (by id or appId)',
    description: both('PUT or POST'),
    ids: { PUT: 'updateAndroid', POST: 'updateAndroidWithPost' }
  },
  '/admin/app/android/remove': {
    tag: 'Credentials',
    summary: 'Remove FCM credentials (by id or appId)',
    description: both('DELETE or POST'),
    ids: { DELETE: 'removeAndroid', POST: 'removeAndroidWithPost' }
  },
  '/admin/app/apns': {
    tag: 'Credentials',
    summary: 'Store (POST, PUT) or remove (DELETE) APNs credentials by appId',
    ids: { POST: 'updateApns', PUT: 'updateApnsWithPut', DELETE: 'removeApns' }
  },
  '/admin/app/fcm': {
    tag: 'Credentials',
    summary: 'Store (POST, PUT) or remove (DELETE) FCM credentials by appId',
    ids: { POST: 'updateFcm', PUT: 'updateFcmWithPut', DELETE: 'removeFcm' }
  },
  '/admin/app/huawei/update': {
    tag: 'Credentials',
    summary: 'Huawei (HMS) credentials: refused, Beacon sends through APNs and FCM only',
    ids: { POST: 'updateHuawei', PUT: 'updateHuaweiWithPut' }
  },
  '/admin/app/huawei/remove': {
    tag: 'Credentials',
    summary: 'Huawei (HMS) credentials: nothing to remove (OK for a known application)',
    ids: { POST: 'removeHuawei', DELETE: 'removeHuaweiWithDelete' }
  },
  '/admin/app/hms': {
    tag: 'Credentials',
    summary: 'HMS credentials by appId: refused (POST, PUT), Beacon sends through APNs and FCM only; nothing to remove (DELETE, OK for a known application)',
    ids: { POST: 'updateHms', PUT: 'updateHmsWithPut', DELETE: 'removeHms' }
  },

  '/inbox/messages': { tag: 'Inbox', summary: 'Post an inbox message', ids: { POST: 'postInboxMessage' } },
  '/inbox/messages/list': { tag: 'Inbox', summary: 'A page of a user\'s inbox', ids: { GET: 'listInboxMessages' } },
  '/inbox/messages/count': { tag: 'Inbox', summary: 'Count a user\'s unread messages', ids: { GET: 'countUnreadInboxMessages' } },
  '/inbox/messages/detail': { tag: 'Inbox', summary: 'An inbox message', ids: { GET: 'getInboxMessage' } },
  '/inbox/messages/read': { tag: 'Inbox', summary: 'Mark a message read', ids: { POST: 'readInboxMessage' } },
  '/inbox/messages/read-all': { tag: 'Inbox', summary: 'Mark all of a user\'s messages read', ids: { POST: 'readAllInboxMessages' } },

  '/admin/developer/create': { tag: 'Developers', summary: 'Create a developer (answers its secret, once)', ids: { POST: 'createDeveloper' } },
  '/admin/developer/list': { tag: 'Developers', summary: 'List developers', ids: { GET: 'listDevelopers' } },
  '/admin/developer/detail': { tag: 'Developers', summary: 'A developer', ids: { POST: 'getDeveloper' } },
  '/admin/developer/update': { tag: 'Developers', summary: 'Update a developer', ids: { PUT: 'updateDeveloper' } },
  '/admin/developer/rotate': { tag: 'Developers', summary: 'Rotate a developer\'s secret (answers the new one)', ids: { POST: 'rotateDeveloperSecret' } },
  '/admin/developer/disable': { tag: 'Developers', summary: 'Disable a developer', ids: { POST: 'disableDeveloper' } },
  '/admin/developer/enable': { tag: 'Developers', summary: 'Enable a developer', ids: { POST: 'enableDeveloper' } },

  '/admin/console/device/search': {
    tag: 'Console',
    summary: 'An application\'s devices of a user or an activation, newest first (push tokens masked)',
    description: PAGED,
    ids: { POST: 'searchConsoleDevices' }
  },
  '/admin/console/application/remove': {
    tag: 'Console',
    summary: 'Remove an application with its devices, messages, campaigns and keys (refused while it is sending)',
    ids: { POST: 'removeConsoleApplication' }
  },
  '/admin/console/device/remove': {
    tag: 'Console',
    summary: 'Remove one device of an application (and its activations) by its device id',
    ids: { POST: 'removeConsoleDevice' }
  },
  '/admin/console/message/list': {
    tag: 'Console',
    summary: 'An application\'s messages with their counts, newest first',
    description: PAGED,
    ids: { POST: 'listConsoleMessages' }
  },
  '/admin/console/message/outcomes': {
    tag: 'Console',
    summary: 'What each device got of a message, by device id',
    description: PAGED,
    ids: { POST: 'listConsoleMessageOutcomes' }
  },
  '/admin/console/callback/list': {
    tag: 'Console',
    summary: 'A developer\'s callbacks and what became of them, newest first',
    description: PAGED,
    ids: { POST: 'listConsoleCallbacks' }
  },
  '/admin/console/system/status': {
    tag: 'Console',
    summary: 'Readiness of each part and this api instance\'s counters (sent, failed, requests, 5xx, callbacks)',
    ids: { GET: 'getConsoleSystemStatus' }
  },
  '/admin/console/campaign/progress': {
    tag: 'Console',
    summary: 'How far a campaign\'s live sending is: users of done chunks over all its users, and devices sent or failed',
    description: 'Unlike the detail\'s `progress` (device deliveries claimed so far), `usersDone` reaches `users` exactly when ' +
      'the campaign completes and never counts a user whose devices are still being sent.',
    ids: { POST: 'getConsoleCampaignProgress' }
  },

  '/console/api/session': {
    tag: 'Console session',
    summary: 'Sign in with the admin credentials (POST), who is signed in (GET), log out (DELETE)',
    description: 'POST takes `{"username", "password"}` (AUTH_USERNAME, AUTH_PASSWORD) and sets the session cookie; ' +
      'wrong credentials count toward the same per-address limit as Basic auth. Every request carries `X-Beacon-Console: 1` ' +
      '(403 without it). DELETE revokes the session and clears the cookie.',
    ids: { POST: 'signInConsole', GET: 'getConsoleSession', DELETE: 'signOutConsole' }
  },

  '/api/1.0/debug/echo': {
    tag: 'Signed API',
    summary: 'Test your signing: answers what the server verified',
    ids: { GET: 'echoSignedGet', POST: 'echoSigned' }
  },
  '/api/1.0/push/{address}': {
    tag: 'Signed API',
    summary: 'Send an in-app message (with an optional push fallback) to username@carrier',
    ids: { POST: 'pushToUser' }
  },
  '/api/1.0/im/token': { tag: 'In-app channel', summary: 'Issue an in-app channel token for a user', ids: { POST: 'issueInAppToken' } },
  '/api/1.0/im/connect': {
    tag: 'In-app channel',
    summary: 'Open the in-app channel (WebSocket upgrade)',
    description: 'An HTTP GET with `Connection: Upgrade` and `Upgrade: websocket` (RFC 6455), authenticated by an ' +
      'in-app token. A refusal is a plain HTTP answer before the upgrade; a request without the upgrade headers is a 426.',
    ids: { GET: 'connectInApp' }
  }
}
