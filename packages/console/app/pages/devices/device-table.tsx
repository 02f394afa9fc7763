import { Fragment } from 'preact'
import { useState } from 'preact/hooks'
import { call } from '../../api.ts'
import { ActionForm, formatTime } from '../../components/form.tsx'
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
                  <RemoveDevice appId={appId} device={device} onRemoved={async () => { setRemoving(null); await onRemoved() }} onCancel={() => setRemoving(null)} />
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

/**
 * Removal asks first, in the row: the device goes with every activation it carries (as PowerAuth's
 * removal by token). By device id (`/admin/console/device/remove`): the console never has the full token.
 */
function RemoveDevice ({ appId, device, onRemoved, onCancel }: { appId: string, device: RegisteredDevice, onRemoved: () => Promise<void>, onCancel: () => void }) {
  const remove = async () => {
    const { removed } = await call<{ removed: boolean }>('POST', '/admin/console/device/remove', { appId, deviceId: device.deviceId })
    // Not removed: it was gone already (removed elsewhere, or dropped after the provider refused its token).
    if (!removed) throw new Error(`Device ${device.pushTokenMasked} was already removed.`)
    await onRemoved()
  }
  return (
    <ActionForm label={`Remove device ${device.pushTokenMasked}`} submit='Remove device' action={remove}>
      <p class='wide'>Remove device <code>{device.pushTokenMasked}</code> and every activation on it? It gets nothing more until its app registers again.</p>
      <button type='button' class='secondary' onClick={onCancel}>Cancel</button>
    </ActionForm>
  )
}
