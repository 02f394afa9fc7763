// docker-compose.yml as `docker compose config` would read it (no Docker here): health checks on
// the services' own endpoints, start order on healthy dependencies, secrets as files.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { repositoryRoot } from './repository.js'

interface Service {
  environment?: Record<string, string | number>
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }>
  secrets?: string[]
  command?: string[]
  stop_grace_period?: string
}
// `merge: true`: the `<<: *beacon-env` keys, as compose merges them.
const compose = parse(readFileSync(join(repositoryRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>
  secrets: Record<string, { environment?: string, file?: string }>
}
const { api, dispatcher } = compose.services as { api: Service, dispatcher: Service }
/** The URL a `["CMD", "node", "-e", "fetch('…')…"]` health check asks. */
const probedUrl = (service: Service) => service.healthcheck?.test.join(' ').match(/fetch\('([^']+)'/)?.[1]

// guarantee: compose-health
t.test('the api\'s health check asks /readyz on its port, without credentials', async (t) => {
  t.equal(api.healthcheck?.test[0], 'CMD', 'exec form: no shell needed in the image')
  t.equal(probedUrl(api), `http://127.0.0.1:${api.environment?.PORT}/readyz`)
  t.notMatch(api.healthcheck?.test.join(' '), /authorization|AUTH_PASSWORD/i, 'no credentials')
})

t.test('the api serves /metrics on a port of its own, which is not published', async (t) => {
  const port = api.environment?.METRICS_PORT
  t.ok(port !== undefined && Number.isInteger(Number(port)), `METRICS_PORT=${port}`)
  t.not(String(port), String(api.environment?.PORT), 'not the API port')
  const published = ((api as { ports?: string[] }).ports ?? []).map((mapping) => mapping.split(':').at(-1))
  t.notOk(published.includes(String(port)), 'not published on the host')
})

t.test('the dispatcher has METRICS_PORT and its health check asks /readyz there', async (t) => {
  const port = dispatcher.environment?.METRICS_PORT
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

t.test('MASTER_KEY and AUTH_PASSWORD reach the services as secret files, not environment variables', async (t) => {
  for (const [name, service, secrets] of [['api', api, ['MASTER_KEY', 'AUTH_PASSWORD']], ['dispatcher', dispatcher, ['MASTER_KEY']]] as const) {
    for (const variable of secrets) {
      const secret = variable.toLowerCase()
      t.notOk(variable in (service.environment ?? {}), `${name}: no ${variable} in its environment`)
      t.equal(service.environment?.[`${variable}_FILE`], `/run/secrets/${secret}`, `${name}: ${variable}_FILE`)
      t.ok(service.secrets?.includes(secret), `${name}: the ${secret} secret is mounted`)
      t.ok(compose.secrets[secret] !== undefined, `${secret} is defined`)
    }
  }
})

t.test('stop_grace_period leaves SHUTDOWN_TIMEOUT_MS plus time to exit', async (t) => {
  for (const [name, service] of [['api', api], ['dispatcher', dispatcher]] as const) {
    const grace = Number(service.stop_grace_period?.replace(/s$/, '')) * 1000
    const timeout = Number(service.environment?.SHUTDOWN_TIMEOUT_MS)
    t.ok(timeout > 0 && grace > timeout, `${name}: ${grace} ms > SHUTDOWN_TIMEOUT_MS ${timeout} ms`)
  }
})
