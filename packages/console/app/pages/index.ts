import type { FunctionComponent } from 'preact'
import { ApplicationsPage } from './applications.tsx'
import { CampaignsPage } from './campaigns.tsx'
import { DevelopersPage } from './developers.tsx'
import { DevicesPage } from './devices.tsx'
import { MessagesPage } from './messages.tsx'
import { SendPage } from './send.tsx'
import { SystemPage } from './system.tsx'

export interface PageEntry {
  path: string
  title: string
  /** Gets the whole location path: a page may read its own sub-path (`/messages/42`). */
  component: FunctionComponent<{ path: string }>
}

export const pages: PageEntry[] = [
  { path: '/applications', title: 'Applications', component: ApplicationsPage },
  { path: '/devices', title: 'Devices', component: DevicesPage },
  { path: '/send', title: 'Send', component: SendPage },
  { path: '/messages', title: 'Messages', component: MessagesPage },
  { path: '/campaigns', title: 'Campaigns', component: CampaignsPage },
  { path: '/developers', title: 'Developers', component: DevelopersPage },
  { path: '/system', title: 'System', component: SystemPage }
]

export const pageOf = (path: string): PageEntry =>
  pages.find((page) => path === page.path || path.startsWith(`${page.path}/`)) ?? pages[0]!
