import { startPowerAuthMock } from '@beacon/testkit'
import type { Test } from 'tap'
import { authorization, buildApp } from '../helper.js'
import { base64, ecKeyPem, serviceAccount } from '../routes/admin/fixtures.js'
import { fill, loadCorpus, missingPlaceholders, valueAt, type CorpusCall, type CorpusFile, type CorpusVersion } from './corpus.js'
import { readAs } from './jackson-reader.js'

/** Long answers are cut in failure messages, so that a failing corpus stays readable. */
const shown = (text: string) => text.length > 600 ? `${text.slice(0, 600)}…` : text

function title (corpus: CorpusFile, entry: CorpusCall): string {
  if (entry.role === 'setup') return `${corpus.version} setup ${entry.id}: ${entry.http.method} ${entry.http.path}`
  const source = entry.source === undefined ? '' : ` [${entry.source.file.split('/').pop()}#${entry.source.method} @ ${corpus.tag}]`
  return `${corpus.version} ${entry.id}: ${entry.http.method} ${entry.http.path}${source}`
}

/**
 * Sends every call of one client version's corpus, in the file's order, to one api (with a
 * PowerAuth server that knows the corpus's activations), and checks each answer as that version
 * of PushServerClient would read it: a 2xx, `status` "OK", and a body its response class can be
 * read into (see jackson-reader.ts). One subtest per call, named by version, call and source.
 */
export async function runCorpus (t: Test, version: CorpusVersion): Promise<void> {
  const corpus = loadCorpus(version)
  const powerauth = await startPowerAuthMock()
  t.teardown(() => powerauth.close())
  for (const [activationId, activation] of Object.entries(corpus.powerauthActivations)) powerauth.activations.set(activationId, activation)
  powerauth.applications.push({ id: 2, applicationName: 'mobile-app' }, { id: 3, applicationName: 'wallet' })
  // A SYNCHRONOUS send waits for a dispatcher's outcome; none runs here, so it answers after the shortest wait.
  const { app } = await buildApp(t, { POWERAUTH_SERVICE_URL: powerauth.url, SYNC_TIMEOUT_MS: '100' })

  const values = new Map<string, string>([
    ['apnsPrivateKeyBase64', base64(ecKeyPem())],
    ['fcmPrivateKeyBase64', base64(JSON.stringify(serviceAccount({ project_id: 'beacon-test' })))]
  ])
  const capturedBy = new Map<string, string>()
  for (const entry of corpus.calls) {
    for (const name of Object.keys(entry.captures ?? {})) capturedBy.set(name, entry.id)
  }

  for (const entry of corpus.calls) {
    await t.test(title(corpus, entry), async (t) => {
      const missing = missingPlaceholders(`${entry.http.path} ${entry.http.body ?? ''}`, values)
      if (missing.length > 0) {
        t.fail(`cannot be sent: ${missing.map((name) => `{{${name}}} (captured by ${capturedBy.get(name) ?? 'nothing'}, which failed)`).join(', ')}`)
        return
      }
      const body = entry.http.body === null ? undefined : fill(entry.http.body, values)
      const response = await app.inject({
        method: entry.http.method,
        url: fill(entry.http.path, values, true),
        headers: { ...entry.http.headers, authorization },
        ...(body === undefined ? {} : { payload: body })
      })
      const answered = `${response.statusCode} ${shown(response.body)}`
      if (entry.refused !== undefined) {
        // PushServerClient reads an error body with a plain ObjectMapper into {status, responseObject: {code, message}}.
        t.equal(response.statusCode, entry.refused.status, `refused as documented (${entry.refused.why})`)
        t.same(JSON.parse(response.body), { status: 'ERROR', responseObject: { code: entry.refused.code, message: entry.refused.message } },
          'an error body the client reads whole, without a field its strict error parser would fail on')
        return
      }
      // The answer and the request are named only when it fails: a passing log stays short.
      const success = response.statusCode >= 200 && response.statusCode < 300
      if (!t.ok(success, success ? 'a 2xx answer' : `a 2xx answer (got ${answered}) to ${shown(body ?? '(no body)')}`)) return
      let parsed: unknown
      try { parsed = JSON.parse(response.body) } catch { parsed = undefined }
      const ok = valueAt(parsed, 'status') === 'OK'
      if (!t.equal(valueAt(parsed, 'status'), 'OK', ok ? 'status "OK"' : `status "OK" (got ${answered})`)) return

      if (entry.response !== undefined) {
        const read = readAs(entry.response.shape, parsed, corpus.classes)
        t.same(read.problems, [], `readable as ${entry.response.class} by the ${corpus.version} client`)
        if (read.coerced.length > 0) t.comment(`read only by Jackson's coercion: ${read.coerced.join(', ')}`)
        if (corpus.jackson.strictVariant !== undefined && read.unknown.length > 0) {
          t.comment(`unknown to ${entry.response.class} (fatal only to a client built with its own ObjectMapper): ${read.unknown.join(', ')}`)
        }
      }
      for (const [name, path] of Object.entries(entry.captures ?? {})) {
        const captured = valueAt(parsed, path)
        if (t.ok(typeof captured === 'string' || typeof captured === 'number', `${path} captured as {{${name}}} (got ${JSON.stringify(captured)})`)) {
          values.set(name, String(captured))
        }
      }
    })
  }
}
