import { Fragment } from 'preact'
import { useState } from 'preact/hooks'
import { call } from '../../api.ts'
import { ActionForm, Field, formatTime } from '../../components/form.tsx'
import { platformName } from '../../components/outcomes.tsx'

/** One activation on one device, as `/admin/console/device/search` lists it. */
export interface RegisteredDevice {
  deviceId: string
  platform: 'apns' | 'fcm'
  environment: 'sandbox' | 'production' | null
  pushTokenMasked: string
  activationId: string
  userId: string | null
  activationStatus: string
  timestampCreated: string
  timestampLastRegistered: string
  timestampActivationUpdated: string
}

export function DeviceTable ({ appId, devices, onRemoved }: { appId: string, devices: RegisteredDevice[], onRemoved: () => Promise<void> }) {
  const [removing, setRemoving] = useState<string | null>(null)
  return (
    <table>
      <thead>
        <tr>
          <th scope='col'>Push token</th><th scope='col'>Platform</th><th scope='col'>Environment</th><th scope='col'>User</th>
          <th scope='col'>Activation</th><th scope='col'>Status</th><th scope='col'>Registered</th><th scope='col'>Updated</th>
          <th scope='col'><span class='visually-hidden'>Actions</span></th>
        </tr>
      </thead>
      <tbody>
        {devices.map((device) => (
          <Fragment key={rowKey(device)}>
            <tr>
              <td class='time'><code>{device.pushTokenMasked}</code></td>
              <td>{platformName(device.platform)}</td>
              <td>{device.environment ?? '—'}</td>
              <td><code>{device.userId ?? '—'}</code></td>
              <td><code>{device.activationId}</code></td>
              <td class={device.activationStatus === 'ACTIVE' ? 'status-ok' : 'muted'}>{device.activationStatus}</td>
              <td>{formatTime(device.timestampCreated)}<br /><small class='muted'>last {formatTime(device.timestampLastRegistered)}</small></td>
              <td>{formatTime(device.timestampActivationUpdated)}</td>
              <td class='actions'>
                <button type='button' class='secondary' aria-label={`Remove ${device.pushTokenMasked}`} aria-expanded={removing === rowKey(device)} onClick={() => setRemoving(removing === rowKey(device) ? null : rowKey(device))}>
                  Remove…
                </button>
              </td>
            </tr>
            {removing === rowKey(device) && (
              <tr>
                <td colSpan={9}>
                  <RemoveDevice appId={appId} device={device} onRemoved={async () => { setRemoving(null); await onRemoved() }} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  )
}

const rowKey = (device: RegisteredDevice) => `${device.deviceId}/${device.activationId}`

/** Whether `token` is the one the api masked as `masked` (its first and last characters around '…'). */
const matchesMask = (token: string, masked: string) => {
  const [head = '', tail = ''] = masked.split('…')
  return token.length >= head.length + tail.length + 1 && token.startsWith(head) && token.endsWith(tail)
}

/**
 * The api removes a registration by its full push token, which the console never shows: the admin
 * pastes it (from the app's logs or the user's support ticket). The api answers OK for a token it
 * does not know, so the page checks it against the mask first: a typo is not a silent no-op.
 */
function RemoveDevice ({ appId, device, onRemoved }: { appId: string, device: RegisteredDevice, onRemoved: () => Promise<void> }) {
  const [token, setToken] = useState('')
  const remove = async () => {
    const pasted = token.trim()
    if (!matchesMask(pasted, device.pushTokenMasked)) throw new Error(`That token does not match ${device.pushTokenMasked}.`)
    await call('POST', '/push/device/delete', { appId, token: pasted })
    await onRemoved()
  }
  return (
    <ActionForm label={`Remove device ${device.pushTokenMasked}`} submit='Remove device' action={remove}>
      <Field label={`Full push token of ${device.pushTokenMasked}`} hint='Removes the registration and all its activations'>
        {(id) => <input id={id} class='token-input' required autoComplete='off' value={token} onInput={(e) => setToken(e.currentTarget.value)} />}
      </Field>
    </ActionForm>
  )
}
