import type { SendMessageResponse, SendMode } from '@beacon/contracts'
import type { SendOutcome } from './messages.js'

const none = () => ({ sent: 0, pending: 0, failed: 0, total: 0 })

/**
 * The answer of `send` and `batch/send` in every shape a PowerAuth client reads: the seed's
 * `result`, 1.x's `ios`/`android` (+ 1.9's `huawei`), the newest `apns`/`fcm`/`hms`, and `mode`.
 * Each shape is a copy of the same counts; Huawei is not supported, so its counts are 0.
 */
export function sendAnswer (mode: SendMode, { result, messageIds }: SendOutcome): SendMessageResponse {
  return {
    status: 'OK',
    responseObject: {
      mode,
      result,
      ios: { ...result.ios },
      android: { ...result.android },
      huawei: none(),
      apns: { ...result.ios },
      fcm: { ...result.android },
      hms: none(),
      messageIds
    }
  }
}
