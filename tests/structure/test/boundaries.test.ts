import { readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import t from 'tap'
import { importedSpecifiers, production, repositoryRoot, sourceFiles } from './workspace.js'

// The boundaries the developers' guide says hold, checked on every production source file:
// the api and the dispatcher meet only through subjects and messages in @beacon/contracts (the
// standalone service composes both through their public barrels, which is its purpose);
// production code never imports the test kit; contracts import nothing of ours; and no package
// reaches into another's folder by a relative path instead of its public barrel.

interface Violation { file: string, specifier: string, rule: string }

export function violations (file: string, source: string): Violation[] {
  const packageRoot = file.split('/').slice(0, 2).join('/')
  const found: Violation[] = []
  for (const specifier of importedSpecifiers(source)) {
    const add = (rule: string): void => { found.push({ file, specifier, rule }) }
    if (specifier.startsWith('.')) {
      const target = normalize(join(dirname(file), specifier))
      if (!target.startsWith(`${packageRoot}/`)) add('a relative import leaves its package')
      continue
    }
    if (specifier === '@beacon/testkit' || specifier.startsWith('@beacon/testkit/')) add('production code imports the test kit')
    if (packageRoot === 'packages/contracts' && specifier.startsWith('@beacon/')) add('contracts import nothing of ours')
    if (packageRoot === 'services/api' && /^@beacon\/(dispatcher|standalone)(\/|$)/.test(specifier)) add('the api imports another service')
    if (packageRoot === 'services/dispatcher' && /^@beacon\/(api|standalone)(\/|$)/.test(specifier)) add('the dispatcher imports another service')
    if (packageRoot.startsWith('packages/') && /^@beacon\/(api|dispatcher|standalone)(\/|$)/.test(specifier)) add('a shared package imports a service')
  }
  return found
}

t.test('production code keeps the workspace boundaries', async (t) => {
  const files = production.flatMap((folder) => sourceFiles(folder))
  t.ok(files.length > 200, `every production source file is read (${files.length})`)
  const found = files.flatMap((file) => violations(file, readFileSync(join(repositoryRoot, file), 'utf8')))
  t.same(found, [])
})

t.test('each rule refuses what it names', async (t) => {
  const rules = (file: string, source: string): string[] => violations(file, source).map(({ rule }) => rule)
  t.same(rules('services/api/src/x.ts', "import { createDispatcher } from '@beacon/dispatcher'"), ['the api imports another service'])
  t.same(rules('services/dispatcher/src/x.ts', "const api = await import('@beacon/api')"), ['the dispatcher imports another service'])
  t.same(rules('services/dispatcher/src/a/x.ts', "export * from '../../../api/src/app.js'"), ['a relative import leaves its package'])
  t.same(rules('packages/db/src/x.ts', "import { mockApns } from '@beacon/testkit'"), ['production code imports the test kit'])
  t.same(rules('packages/contracts/src/nats/x.ts', "import type { Db } from '@beacon/db'"), ['contracts import nothing of ours'])
  t.same(rules('packages/transport/src/x.ts', "import '@beacon/api'"), ['a shared package imports a service'])
  t.same(rules('services/standalone/src/x.ts', "import { createDispatcher } from '@beacon/dispatcher'\nimport { createServer } from '@beacon/api'"), [])
  t.same(rules('services/api/src/a/b.ts', "import { x } from '../c/d.js'\nimport { Type } from 'typebox'"), [])
})
