import { useState } from 'preact/hooks'
import { ApiFailure, request } from './api.ts'
import { ActionForm, Field } from './components/form.tsx'

/** Sign-in with the admin credentials (AUTH_USERNAME / AUTH_PASSWORD): the api sets the session cookie. */
export function SignIn ({ onSignedIn }: { onSignedIn: (session: { username: string, expiresAt: string | null }) => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const signIn = async () => {
    try {
      const answer = await request<{ responseObject: { username: string, expiresAt: string } }>('POST', '/console/api/session', { username, password })
      onSignedIn(answer.responseObject)
    } catch (error) {
      // AUTH_DISABLED (a loopback trial): the api takes requests without any session.
      if (error instanceof ApiFailure && error.status === 400 && /authentication is disabled/.test(error.message)) {
        onSignedIn({ username: 'authentication disabled', expiresAt: null })
        return
      }
      if (error instanceof ApiFailure && error.status === 401) throw new Error('Wrong username or password.')
      throw error
    }
  }
  return (
    <main class='sign-in'>
      <h1>Beacon console</h1>
      <ActionForm label='Sign in' submit='Sign in' action={signIn}>
        <Field label='Username'>{(id) => <input id={id} name='username' autoComplete='username' required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />}</Field>
        <Field label='Password'>{(id) => <input id={id} name='password' type='password' autoComplete='current-password' required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />}</Field>
      </ActionForm>
    </main>
  )
}
