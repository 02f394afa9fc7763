// deploy/kubernetes/ as `kubectl apply --dry-run=client` would take it, without a cluster: each
// object validated against the Kubernetes OpenAPI schemas (kubernetes-models), then what a schema
// cannot see: probes on the ports the containers open, selectors that select, secrets by
// reference only, a grace period that covers SHUTDOWN_TIMEOUT_MS, every variable documented.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigMap, Service } from 'kubernetes-models/v1'
import { Deployment } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { repositoryRoot } from './repository.js'

const folder = join(repositoryRoot, 'deploy', 'kubernetes')
const objects = readdirSync(folder).filter((file) => file.endsWith('.yaml')).sort().flatMap((file) =>
  parseAllDocuments(readFileSync(join(folder, file), 'utf8'), { version: '1.1' }).map((document) => ({ file, object: document.toJS() as { apiVersion: string, kind: string, metadata: { name: string } } })))
const models: Record<string, new (data: never) => { validate (): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy
}
const find = <T>(kind: string, name: string) => objects.find(({ object }) => object.kind === kind && object.metadata.name === name)?.object as T

type Probe = { httpGet: { path: string, port: string | number } }
interface Container {
  name: string
  args?: string[]
  ports?: Array<{ name: string, containerPort: number }>
  env?: Array<{ name: string, value?: string, valueFrom?: unknown }>
  envFrom?: Array<{ configMapRef: { name: string } }>
  livenessProbe?: Probe
  readinessProbe?: Probe
  startupProbe?: Probe
  resources?: { requests?: { cpu?: string, memory?: string }, limits?: { memory?: string } }
  securityContext?: { readOnlyRootFilesystem?: boolean, allowPrivilegeEscalation?: boolean, capabilities?: { drop?: string[] } }
  volumeMounts?: Array<{ name: string, mountPath: string }>
}
interface DeploymentObject {
  spec: {
    selector: { matchLabels: Record<string, string> }
    template: {
      metadata: { labels: Record<string, string> }
      spec: {
        terminationGracePeriodSeconds: number
        securityContext: { runAsNonRoot: boolean, runAsUser?: number, seccompProfile?: { type: string } }
        initContainers?: Container[]
        containers: Container[]
        volumes: Array<{ name: string, secret?: { secretName: string }, emptyDir?: object }>
      }
    }
  }
}
const config = find<{ data: Record<string, string> }>('ConfigMap', 'beacon-config').data
const api = find<DeploymentObject>('Deployment', 'beacon-api')
const dispatcher = find<DeploymentObject>('Deployment', 'beacon-dispatcher')

// guarantee: kubernetes-manifests-valid
t.test('every object is valid against the Kubernetes schema of its apiVersion and kind', async (t) => {
  t.ok(objects.length >= 5, `${objects.length} objects`)
  for (const { file, object } of objects) {
    const Model = models[`${object.apiVersion}/${object.kind}`]
    if (Model === undefined) {
      t.fail(`${file}: ${object.apiVersion} ${object.kind} has no schema here`)
      continue
    }
    t.doesNotThrow(() => new Model(object as never).validate(), `${file}: ${object.kind} ${object.metadata.name}`)
  }
})

t.test('probes: /healthz for liveness, /readyz for readiness, on ports the container opens (the dispatcher\'s is METRICS_PORT)', async (t) => {
  for (const [deployment, portName, expectedPort] of [[api, 'http', Number(config.PORT)], [dispatcher, 'metrics', Number(config.METRICS_PORT)]] as const) {
    const container = deployment.spec.template.spec.containers[0]!
    const port = container.ports?.find((p) => p.name === portName)
    t.equal(port?.containerPort, expectedPort, `${container.name}: port ${portName} is ${expectedPort}, as its configuration says`)
    t.same(container.livenessProbe?.httpGet, { path: '/healthz', port: portName }, `${container.name}: liveness`)
    t.same(container.readinessProbe?.httpGet, { path: '/readyz', port: portName }, `${container.name}: readiness`)
    if (container.startupProbe !== undefined) t.equal(container.startupProbe.httpGet.port, portName)
  }
})

t.test('selectors select the pods; the api Service sends to the api\'s http port; the HPA scales the dispatcher', async (t) => {
  for (const deployment of [api, dispatcher]) {
    t.match(deployment.spec.template.metadata.labels, deployment.spec.selector.matchLabels, 'the template carries the selector\'s labels')
  }
  t.not(api.spec.selector.matchLabels['app.kubernetes.io/component'], dispatcher.spec.selector.matchLabels['app.kubernetes.io/component'], 'no overlap')
  const service = find<{ spec: { selector: Record<string, string>, ports: Array<{ targetPort: string }> } }>('Service', 'beacon-api')
  t.same(service.spec.selector, api.spec.selector.matchLabels)
  t.ok(api.spec.template.spec.containers[0]!.ports?.some((p) => p.name === service.spec.ports[0]!.targetPort), 'targetPort is a named port of the api')
  const hpa = find<{ spec: { scaleTargetRef: { kind: string, name: string }, minReplicas: number } }>('HorizontalPodAutoscaler', 'beacon-dispatcher')
  t.same(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'beacon-dispatcher' })
  t.ok(hpa.spec.minReplicas >= 2, 'at least two dispatchers')
})

t.test('secrets by reference: *_FILE paths inside a mounted Secret, no secret value anywhere', async (t) => {
  const secretNames = new Set(['MASTER_KEY', 'AUTH_PASSWORD', 'DATABASE_URL', 'POWERAUTH_PASSWORD'])
  t.notOk(Object.keys(config).some((name) => secretNames.has(name)), 'no secret in the ConfigMap')
  for (const deployment of [api, dispatcher]) {
    const pod = deployment.spec.template.spec
    const secretVolumes = pod.volumes.filter((volume) => volume.secret !== undefined).map((volume) => volume.name)
    for (const container of [...pod.initContainers ?? [], ...pod.containers]) {
      for (const variable of container.env ?? []) {
        t.notOk(secretNames.has(variable.name), `${container.name}: ${variable.name} is not given as a value`)
        if (!variable.name.endsWith('_FILE')) continue
        const mount = container.volumeMounts?.find((m) => variable.value?.startsWith(`${m.mountPath}/`))
        t.ok(mount !== undefined && secretVolumes.includes(mount.name), `${container.name}: ${variable.name} is a file of a mounted Secret`)
      }
    }
  }
  t.equal(api.spec.template.spec.containers[0]!.env?.filter((v) => v.name.endsWith('_FILE')).length, 3, 'the api: DATABASE_URL, MASTER_KEY, AUTH_PASSWORD')
})

// guarantee: kubernetes-pod-hardening
t.test('non-root, read-only root filesystem, resources, migrations before start, grace period over SHUTDOWN_TIMEOUT_MS', async (t) => {
  const shutdownMs = Number(config.SHUTDOWN_TIMEOUT_MS)
  for (const deployment of [api, dispatcher]) {
    const pod = deployment.spec.template.spec
    t.equal(pod.securityContext.runAsNonRoot, true)
    t.equal(pod.securityContext.runAsUser, 1000, 'user 1000, the image\'s node')
    t.equal(pod.securityContext.seccompProfile?.type, 'RuntimeDefault')
    // The service's writable /tmp on its read-only root (the migrations, an init container, write none).
    const tmp = pod.volumes.find((volume) => volume.emptyDir !== undefined)
    for (const container of pod.containers) {
      t.ok(tmp !== undefined && container.volumeMounts?.some((m) => m.name === tmp.name && m.mountPath === '/tmp'), `${container.name}: an emptyDir on /tmp`)
    }
    t.ok(pod.terminationGracePeriodSeconds * 1000 >= shutdownMs + 5000, `grace ${pod.terminationGracePeriodSeconds} s leaves 5 s over SHUTDOWN_TIMEOUT_MS (${shutdownMs} ms)`)
    t.match(pod.initContainers?.[0]?.args, ['node', 'packages/db/dist/migrate-cli.js'], 'an init container applies the migrations')
    for (const container of [...pod.initContainers ?? [], ...pod.containers]) {
      t.equal(container.securityContext?.readOnlyRootFilesystem, true, `${container.name}: read-only root filesystem`)
      t.equal(container.securityContext?.allowPrivilegeEscalation, false)
      t.same(container.securityContext?.capabilities?.drop, ['ALL'], `${container.name}: every capability dropped`)
      t.ok(container.resources?.requests?.cpu !== undefined && container.resources.requests.memory !== undefined && container.resources.limits?.memory !== undefined, `${container.name}: CPU and memory requests and a memory limit`)
      t.same(container.envFrom ?? [{ configMapRef: { name: 'beacon-config' } }], [{ configMapRef: { name: 'beacon-config' } }])
    }
  }
})

t.test('every variable the manifests set is one README.md\'s Configuration section documents', async (t) => {
  const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1))
  const documented = new Set([...section.matchAll(/^\| `([A-Z0-9_]+)`(?:, `([A-Z0-9_]+)`)?/gm)].flatMap((m) => [m[1], m[2]]))
  // Rows other branches of issue 14 write into README.md; at merge they are there and this list is
  // emptied (the *_FILE rows: /work/briefs/readme-lane-d.md; METRICS_PORT: the metrics lanes).
  const used = new Set([...Object.keys(config), ...[api, dispatcher].flatMap((d) =>
    [...d.spec.template.spec.initContainers ?? [], ...d.spec.template.spec.containers].flatMap((c) => (c.env ?? []).map((v) => v.name)))])
  for (const name of used) t.ok(documented.has(name), `${name} is documented`)
})

t.test('network policies: the metrics port only for Prometheus, the API port for clients, on the pods the Deployments make', async (t) => {
  interface Rule { from?: unknown[], ports?: Array<{ port: string | number }> }
  interface Policy { spec: { podSelector: { matchLabels: Record<string, string> }, ingress: Rule[] } }
  for (const [name, deployment, open] of [['beacon-api', api, ['http']], ['beacon-dispatcher', dispatcher, []]] as const) {
    const policy = find<Policy>('NetworkPolicy', name)
    t.ok(policy, `${name} has a policy`)
    const labels = deployment.spec.template.metadata.labels
    t.ok(Object.entries(policy.spec.podSelector.matchLabels).every(([key, value]) => labels[key] === value), `${name}: selects the Deployment's pods`)
    const ports = new Set(deployment.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)))
    for (const rule of policy.spec.ingress) {
      for (const { port } of rule.ports ?? []) t.ok(ports.has(String(port)), `${name}: port ${port} is a container port`)
      const names = (rule.ports ?? []).map(({ port }) => String(port))
      if (names.includes('metrics')) t.ok((rule.from ?? []).length > 0, `${name}: the metrics port is not open to everyone`)
      if (rule.from === undefined) t.same(names, [...open], `${name}: only ${open.join(', ') || 'nothing'} is open to everyone`)
    }
  }
})
