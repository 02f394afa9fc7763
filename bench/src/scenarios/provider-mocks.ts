import { BUNDLE, startApnsMock, startFcmMock, type FcmProtocol } from '@beacon/testkit'

/**
 * Both provider mocks in the bench process, with an APNs signing key and an FCM service account,
 * for the scenarios whose sender runs in a child process (peer, senders alone). `childEnv` tells
 * the child how to reach them.
 */
export async function startProviderMocks () {
  const [apns, fcm] = await Promise.all([startApnsMock({ record: false }), startFcmMock({ record: false })])
  const key = apns.createKey({ bundles: [BUNDLE] })
  const account = fcm.createServiceAccount({ projectId: 'beacon-bench' })
  const childEnv: Record<string, string> = {
    APNS_PORT: String(apns.port),
    APNS_CA: apns.ca,
    APNS_KEY: key.privateKeyPem,
    APNS_KEY_ID: key.keyId,
    APNS_TEAM_ID: key.teamId,
    APNS_TOPIC: BUNDLE,
    FCM_PORT: String(fcm.port),
    FCM_URL: fcm.url,
    FCM_ENDPOINT: fcm.endpoint,
    FCM_H2_PORT: new URL(fcm.endpoint).port,
    FCM_CA: fcm.ca,
    FCM_PROJECT_ID: account.project_id,
    FCM_SERVICE_ACCOUNT: JSON.stringify(account)
  }
  return {
    apns,
    fcm,
    childEnv,
    reset () {
      apns.reset()
      fcm.reset()
    },
    /**
     * Checks that the mocks took `notifications` requests, half APNs (the odd one) and half FCM,
     * and accepted every one, the FCM ones over `fcmProtocol`; throws with what they saw otherwise.
     */
    expectHalfAndHalf (notifications: number, sender: string, fcmProtocol: FcmProtocol) {
      const split = { apns: Math.ceil(notifications / 2), fcm: Math.floor(notifications / 2) }
      const accepted = { apns: apns.counters.byStatus[200] ?? 0, fcm: fcm.counters.byStatus[200] ?? 0 }
      if (accepted.apns !== split.apns || accepted.fcm !== split.fcm || apns.counters.requests + fcm.counters.requests !== notifications) {
        throw new Error(`sent ${JSON.stringify(split)}: the mocks accepted ${JSON.stringify(accepted)} (APNs ${JSON.stringify(apns.counters.byStatus)}, FCM ${JSON.stringify(fcm.counters.byStatus)}); ${sender}`)
      }
      // Each sender on its production transport, both HTTP/2 over TLS: the peer's adapter on
      // firebase-admin's default (sendEach, a connection per call), the dispatcher on send(), one
      // stream per device on shared connections.
      if (fcm.requestsByProtocol[fcmProtocol] !== split.fcm) {
        throw new Error(`FCM requests by protocol ${JSON.stringify(fcm.requestsByProtocol)}: expected all ${split.fcm} over ${fcmProtocol}; ${sender}`)
      }
      return { split, accepted }
    },
    close: async () => { await Promise.all([apns.close(), fcm.close()]) }
  }
}
