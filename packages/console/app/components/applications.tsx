import { useState } from 'preact/hooks'
import { request } from '../api.ts'
import { useLoad } from './data.ts'
import { ErrorNote, Field } from './form.tsx'

/** An application as `/admin/app/list` answers it (a numeric id comes back as a number). */
export interface Application {
  appId: string | number
  appName: string
  apns?: boolean | null
  fcm?: boolean | null
  carrierDomain?: string
}

export const listApplications = async () =>
  (await request<{ responseObject: { applicationList: Application[] } }>('GET', '/admin/app/list')).responseObject.applicationList

// The pages share one chosen application, kept for the tab's life: moving from Devices to Send
// should not ask again.
const SELECTED = 'beacon.console.appId'
export const rememberApplication = (appId: string) => { sessionStorage.setItem(SELECTED, appId) }

/** The application the Devices, Send and Messages pages work on, and a select to change it. */
export function useSelectedApplication () {
  const applications = useLoad(listApplications, [])
  const [chosen, setChosen] = useState(() => sessionStorage.getItem(SELECTED) ?? '')
  const list = applications.value ?? []
  // A remembered id that no longer exists falls back to the first application.
  const appId = list.some((app) => String(app.appId) === chosen) ? chosen : String(list[0]?.appId ?? '')
  const choose = (value: string) => { rememberApplication(value); setChosen(value) }
  const picker = (
    <>
      <Field label='Application'>
        {(id) => (
          <select id={id} value={appId} disabled={list.length === 0} onChange={(e) => choose(e.currentTarget.value)}>
            {list.map((app) => <option key={String(app.appId)} value={String(app.appId)}>{app.appName} ({String(app.appId)})</option>)}
          </select>
        )}
      </Field>
      {applications.value !== undefined && list.length === 0 && <p class='muted'>No application yet: create one on <a href='#/applications'>Applications</a>.</p>}
      <ErrorNote error={applications.error} />
    </>
  )
  return { appId, picker, loading: applications.loading }
}
