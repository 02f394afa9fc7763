// README.md's Metrics section lists every metric the services register, and no other.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { metricCatalog } from './metric-catalog.js'
import { repositoryRoot } from './repository.js'

const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('\n## Metrics\n'), readme.indexOf('\n## API docs\n'))
// The first cell of each table row names a metric.
const documented = new Set([...section.matchAll(/^\| `(beacon_[a-z_]+)` \|/gm)].map((match) => match[1]))

t.test('the README documents every beacon_ metric the services register, and nothing else', async (t) => {
  const registered = (await metricCatalog()).map(({ name }) => name).filter((name) => name.startsWith('beacon_'))
  t.ok(registered.length >= 15, `${registered.length} metrics registered`)
  t.same([...documented].sort(), [...registered].sort())
})

t.test('labels are bounded by design: no metric declares a label that would carry an id', async (t) => {
  const catalog = await metricCatalog()
  t.ok(catalog.some(({ labels }) => labels.includes('provider')), 'declared labels are read')
  for (const metric of catalog) {
    for (const label of metric.labels) t.notMatch(label, /(^|_)(id|token|user|device|message|campaign|app)(_|$)/i, `${metric.name}: label ${label}`)
  }
})
