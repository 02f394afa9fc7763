import { useEffect, useState } from 'preact/hooks'
import { ApiFailure, request, whenSignedOut } from './api.ts'
import { SignIn } from './sign-in.tsx'
import { detach } from './components/data.ts'
import { pages, pageOf } from './pages/index.ts'

interface Session { username: string, expiresAt: string | null }

const currentPath = () => location.hash.replace(/^#/, '') || '/applications'

/** The signed-in console: a navigation bar and the page the location's hash names. */
export function Shell () {
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [path, setPath] = useState(currentPath())
  useEffect(() => {
    whenSignedOut(() => setSession(null))
    const onHash = () => setPath(currentPath())
    addEventListener('hashchange', onHash)
    request<{ responseObject: Session }>('GET', '/console/api/session')
      .then((answer) => setSession(answer.responseObject), () => setSession(null))
    return () => removeEventListener('hashchange', onHash)
  }, [])
  if (session === undefined) return <main class='loading' aria-busy='true'>Loading…</main>
  if (session === null) return <SignIn onSignedIn={setSession} />
  const signOut = async () => {
    try { await request('DELETE', '/console/api/session') } catch (error) {
      // Without authentication there is no session to end.
      if (!(error instanceof ApiFailure) || error.status !== 401) throw error
    }
    setSession(null)
  }
  const page = pageOf(path)
  const Page = page.component
  return (
    <div class='shell'>
      <header>
        <span class='brand'>Beacon</span>
        <nav aria-label='Console'>
          <ul>
            {pages.map((entry) => (
              <li key={entry.path}>
                <a href={`#${entry.path}`} aria-current={entry === page ? 'page' : undefined}>{entry.title}</a>
              </li>
            ))}
          </ul>
        </nav>
        <span class='who'>{session.username}</span>
        <button type='button' class='secondary' onClick={() => { detach(signOut()) }}>Sign out</button>
      </header>
      <main>
        <h1>{page.title}</h1>
        <Page path={path} />
      </main>
    </div>
  )
}
