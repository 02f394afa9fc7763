import { useState } from 'preact/hooks'
import { detach } from '../../components/data.ts'

/**
 * A developer's secret, the one time the API answers it (create and rotate): the server keeps it
 * sealed and never shows it again, so the admin copies it now or rotates later.
 */
export function SecretOnce ({ name, developerKey, secret, onDone }: { name: string, developerKey: string, secret: string, onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret)
      setCopied('Copied to the clipboard.')
    } catch {
      // Without clipboard access (a plain-HTTP page on another host): the text is selectable.
      setCopied('The browser refused the clipboard: select the secret and copy it by hand.')
    }
  }
  return (
    <section class='secret' role='region' aria-label={`Secret of ${name}`}>
      <div>
        <p><strong>Copy this secret now: it is shown only once.</strong> Beacon stores it encrypted and cannot show it again; if it is lost, rotate it.</p>
        <p>Key <code>{developerKey}</code></p>
        <p>Secret <code aria-label='Secret'>{secret}</code></p>
        <div class='row'>
          <button type='button' onClick={() => { detach(copy()) }}>Copy secret</button>
          <button type='button' class='secondary' onClick={onDone}>I have stored it</button>
        </div>
        {copied !== null && <p role='status'>{copied}</p>}
      </div>
    </section>
  )
}
