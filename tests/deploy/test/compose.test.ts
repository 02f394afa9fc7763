// docker-compose.yml (and the docker-compose.powerauth.yml overlay) as `docker compose config` would
// read them (no Docker here): health checks on the services' own endpoints, start order on healthy
// dependencies, secrets as files.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { parse } from 'yaml'
import { repositoryRoot } from './repository.js'

interface Service {
  environment?: Record<string, string | number> | string[]
  env_file?: unknown
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }>
  secrets?: string[]
  command?: string[]
  stop_grace_period?: string
}
interface ComposeFile {
  services: Record<string, Service>
  secrets: Record<string, { environment?: string, file?: string }>
}
// `merge: true`: the `<<: *beacon-env` keys, as compose merges them.
const read = (file: string) => parse(readFileSync(join(repositoryRoot, file), 'utf8'), { merge: true }) as ComposeFile
const compose = read('docker-compose.yml')
/** The overlay that adds the PowerAuth password (`-f docker-compose.yml -f docker-compose.powerauth.yml`). */
const powerAuth = read('docker-compose.powerauth.yml')
const { api, dispatcher } = compose.services as { api: Service, dispatcher: Service }
/** The URL a `["CMD", "node", "-e", "fetch('…')…"]` health check asks. */
const probedUrl = (service: Service) => service.healthcheck?.test.join(' ').match(/fetch\('([^']+)'/)?.[1]

// guarantee: compose-health
t.test('the api\'s health check asks /readyz on its port, without credentials', async (t) => {
  t.equal(api.healthcheck?.test[0], 'CMD', 'exec form: no shell needed in the image')
  t.equal(probedUrl(api), `http://127.0.0.1:${variable(api, 'PORT')}/readyz`)
  t.notMatch(api.healthcheck?.test.join(' '), /authorization|AUTH_PASSWORD/i, 'no credentials')
})

// guarantee: compose-api-metrics-unpublished
t.test('the api serves /metrics on a port of its own, which is not published', async (t) => {
  const port = variable(api, 'METRICS_PORT')
  t.ok(port !== undefined && Number.isInteger(Number(port)), `METRICS_PORT=${port}`)
  t.not(String(port), String(variable(api, 'PORT')), 'not the API port')
  const published = ((api as { ports?: string[] }).ports ?? []).map((mapping) => mapping.split(':').at(-1))
  t.notOk(published.includes(String(port)), 'not published on the host')
})

t.test('the dispatcher has METRICS_PORT and its health check asks /readyz there', async (t) => {
  const port = variable(dispatcher, 'METRICS_PORT')
  t.ok(port !== undefined && Number.isInteger(Number(port)), `METRICS_PORT=${port}`)
  t.equal(probedUrl(dispatcher), `http://127.0.0.1:${port}/readyz`)
  t.same(dispatcher.command?.slice(-1), ['services/dispatcher/dist/server.js'], 'the same image, another command')
})

t.test('start order: the api waits for a healthy PostgreSQL and NATS, the dispatcher for a healthy api (migrated)', async (t) => {
  t.same(api.depends_on, { postgres: { condition: 'service_healthy' }, nats: { condition: 'service_healthy' } })
  t.same(dispatcher.depends_on, { api: { condition: 'service_healthy' } })
  t.ok(compose.services.postgres?.healthcheck, 'postgres has a health check')
  t.ok(compose.services.nats?.healthcheck, 'nats has a health check')
})

// A variable holding a secret, by its name; its NAME_FILE form holds a path, not the secret.
const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|MASTER_KEY|PRIVATE_KEY|DATABASE_URL)$/
/** Every way `file` gives a service a secret in plain sight: a secret's variable, credentials in a URL. */
/** A service's variables, whichever of Compose's two forms (a map, or a list of NAME=value) it uses. */
function variablesOf (service: Service): Array<[string, string | number]> {
  const environment = service.environment ?? {}
  if (!Array.isArray(environment)) return Object.entries(environment)
  return environment.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)])
}
/** One variable's value, whichever form the service uses. */
function variable (service: Service, name: string): string | number | undefined {
  return variablesOf(service).find(([variable]) => variable === name)?.[1]
}
function plainSecrets (file: ComposeFile): string[] {
  return Object.entries(file.services).flatMap(([name, service]) => [
    ...variablesOf(service)
      .filter(([variable, value]) => SECRET_NAME.test(variable) || /:\/\/[^/@\s]+:[^/@\s]*@/.test(String(value)))
      .map(([variable]) => `${name}: ${variable}`),
    // An env_file's variables are plain environment variables too, out of this test's sight.
    ...(service.env_file === undefined ? [] : [`${name}: env_file`])
  ])
}
/**
 * The service's secrets' NAME_FILE variables (the names the services and the postgres image read),
 * each checked to be the /run/secrets file of a secret it mounts and the file defines.
 */
function secretFiles (t: Test, file: ComposeFile, name: string): string[] {
  const service = file.services[name]!
  const variables = variablesOf(service).filter(([variable]) => /_FILE$/.test(variable) && SECRET_NAME.test(variable.slice(0, -5)))
  for (const [variable, path] of variables) {
    const secret = String(path).replace(/^\/run\/secrets\//, '')
    t.equal(path, `/run/secrets/${secret}`, `${name}: ${variable} is a Compose secret's file`)
    t.ok(service.secrets?.includes(secret), `${name}: the ${secret} secret is mounted`)
    t.ok(file.secrets[secret]?.environment ?? file.secrets[secret]?.file, `${secret} is defined (from a variable or a file)`)
  }
  return variables.map(([variable]) => variable).sort()
}

// guarantee: compose-secrets-as-files
t.test('no secret is a plain environment variable (docker inspect shows those): each is a Compose secret\'s file', async (t) => {
  t.same(plainSecrets(compose), [], 'docker-compose.yml')
  t.same(plainSecrets(powerAuth), [], 'docker-compose.powerauth.yml')
  t.same(secretFiles(t, compose, 'api'), ['AUTH_PASSWORD_FILE', 'DATABASE_URL_FILE', 'MASTER_KEY_FILE'], 'api')
  t.same(secretFiles(t, compose, 'dispatcher'), ['DATABASE_URL_FILE', 'MASTER_KEY_FILE'], 'dispatcher')
  t.same(secretFiles(t, compose, 'postgres'), ['POSTGRES_PASSWORD_FILE'], 'postgres (the image reads POSTGRES_PASSWORD_FILE)')
  t.same(secretFiles(t, powerAuth, 'api'), ['POWERAUTH_PASSWORD_FILE'], 'the PowerAuth password, added by docker-compose.powerauth.yml')
})

// guarantee: compose-stop-grace
t.test('stop_grace_period leaves SHUTDOWN_TIMEOUT_MS plus time to exit', async (t) => {
  for (const [name, service] of [['api', api], ['dispatcher', dispatcher]] as const) {
    const grace = Number(service.stop_grace_period?.replace(/s$/, '')) * 1000
    const timeout = Number(variable(service, 'SHUTDOWN_TIMEOUT_MS'))
    t.ok(timeout > 0 && grace > timeout, `${name}: ${grace} ms > SHUTDOWN_TIMEOUT_MS ${timeout} ms`)
  }
})
