import { call } from '../api.ts'
import { useLoad } from './data.ts'
import { formatTime } from './form.tsx'

/** One device's outcome of a message (`/admin/console/message/outcomes`). */
export interface DeviceOutcome {
  deviceId: string
  platform: 'apns' | 'fcm'
  status: 'PENDING' | 'SENT' | 'FAILED' | 'EXPIRED'
  reason: string | null
  attempts: number
  unconfirmed: boolean
  timestampClaimed: string
  timestampCompleted: string | null
}

/** Device id → masked push token of a user's devices (or one activation's), to tell outcomes apart. */
export function useDeviceTokens (appId: string, userId: string | undefined, activationId?: string | null) {
  return useLoad(async () => {
    if (userId === undefined) return undefined
    const found = await call<{ deviceList: Array<{ deviceId: string, pushTokenMasked: string }> }>('POST', '/admin/console/device/search', {
      appId, userId, ...(activationId == null ? {} : { activationId }), limit: 200
    })
    return new Map(found.deviceList.map((device) => [device.deviceId, device.pushTokenMasked]))
  }, [appId, userId, activationId])
}

export const platformName = (platform: string) => platform === 'apns' ? 'iOS (APNs)' : platform === 'fcm' ? 'Android (FCM)' : platform

/**
 * What each device got, with the provider's reason. `tokens` (device id → masked token), when
 * known, tells the devices apart the way the Devices page shows them.
 */
export function OutcomeTable ({ outcomes, tokens, caption }: { outcomes: DeviceOutcome[], tokens?: Map<string, string>, caption: string }) {
  if (outcomes.length === 0) return <p class='muted'>No device outcome recorded yet.</p>
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr><th scope='col'>Device</th><th scope='col'>Platform</th><th scope='col'>Status</th><th scope='col'>Reason</th><th scope='col'>Attempts</th><th scope='col'>Claimed</th><th scope='col'>Completed</th></tr>
      </thead>
      <tbody>
        {outcomes.map((outcome) => (
          <tr key={outcome.deviceId}>
            <td>
              <span class='mono'>{tokens?.get(outcome.deviceId) ?? `#${outcome.deviceId}`}</span>
              {tokens?.has(outcome.deviceId) === true && <small class='muted'> #{outcome.deviceId}</small>}
              {/* A token the provider called invalid is deleted with its registration. */}
              {tokens !== undefined && !tokens.has(outcome.deviceId) && <small class='muted'> no longer registered</small>}
            </td>
            <td>{platformName(outcome.platform)}</td>
            <td class={`status-${outcome.status}`}>{outcome.status}</td>
            <td>
              {outcome.reason ?? '—'}
              {/* Recorded by a later holder of the command: whether the provider got it is unknown. */}
              {outcome.unconfirmed && <small class='muted'> (unconfirmed)</small>}
            </td>
            <td>{outcome.attempts}</td>
            <td class='time'>{formatTime(outcome.timestampClaimed)}</td>
            <td class='time'>{formatTime(outcome.timestampCompleted)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
