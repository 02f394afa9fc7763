// What `docker build` would need and production wants, checked without a Docker engine (none on
// the development machines, and hadolint is not in Debian): the Dockerfile parsed by
// dockerfile-ast (the VS Code Docker language server's parser), linted by dockerfile-utils.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Instruction } from 'dockerfile-ast'
import { validate, ValidationSeverity } from 'dockerfile-utils'
import t from 'tap'
import { parse } from 'yaml'
import { dockerfileText as text, flagOf, instructionsOf, stages } from './dockerfile-stages.js'
import { repositoryRoot } from './repository.js'

const runtime = stages.at(-1)!
const inRuntime = (keyword: string) => instructionsOf(runtime, keyword)
/** JSON (exec) form: `["node", "x.js"]`, not a shell string; the process gets the signals. */
const isExecForm = (instruction: Instruction) => /^\[.*\]$/s.test(instruction.getArgumentsContent()?.trim() ?? '')

// guarantee: dockerfile-production-image
t.test('the Dockerfile lints clean (dockerfile-utils: no error, no warning)', async (t) => {
  const problems = validate(text).filter((diagnostic) => diagnostic.severity === ValidationSeverity.ERROR || diagnostic.severity === ValidationSeverity.WARNING)
  t.same(problems.map((p) => `line ${p.range.start.line + 1}: ${p.message}`), [])
})

t.test('multi-stage: a build stage, then a runtime stage on a pinned slim Node image', async (t) => {
  t.ok(stages.length >= 2, `${stages.length} stages`)
  t.ok(stages.slice(0, -1).every((stage) => stage.name !== null), 'every stage before the last is named, for COPY --from')
  t.match(runtime.image, /^node:\d+\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/, 'runtime: node:MAJOR.MINOR.PATCH-bookworm-slim (a version, not a moving tag)')
  t.ok(stages.every((stage) => !/:latest$|^[^:]+$/.test(stage.image)), 'no stage on :latest or an untagged image')
})

t.test('runtime stage: non-root, a HEALTHCHECK on /healthz, tini as PID 1, exec-form commands', async (t) => {
  const users = inRuntime('USER').map((instruction) => instruction.getArgumentsContent()?.trim() ?? '')
  t.ok(users.length > 0, 'USER is set')
  t.notMatch(users.at(-1), /^(root|0)(:|$)/, `the last USER (${users.at(-1)}) is not root`)
  t.match(users.at(-1), /^\d+(:\d+)?$/, 'numeric, so that Kubernetes runAsNonRoot can verify it')

  const healthchecks = inRuntime('HEALTHCHECK')
  t.equal(healthchecks.length, 1, 'one HEALTHCHECK')
  t.match(healthchecks[0]?.getArgumentsContent(), /CMD \[.*\/healthz/s, 'exec form, asking /healthz')

  const entrypoint = inRuntime('ENTRYPOINT').at(-1)
  const cmd = inRuntime('CMD').at(-1)
  t.ok(entrypoint !== undefined && isExecForm(entrypoint), 'ENTRYPOINT in exec form')
  t.ok(cmd !== undefined && isExecForm(cmd), 'CMD in exec form')
  t.match(entrypoint?.getArgumentsContent(), /"\/usr\/bin\/tini", "--"/, 'tini forwards signals and reaps children')
  t.ok(runtime.instructions.some((instruction) => instruction.getKeyword() === 'RUN' && /apt-get install[^&]*\btini\b/.test(instruction.getArgumentsContent() ?? '')), 'tini comes from apt in this stage')
  t.match(cmd?.getArgumentsContent(), /migrate-cli\.js.*&& exec node services\/api\/dist\/server\.js/s, 'migrations, then the api in the shell\'s place')
})

t.test('runtime stage: no dev dependencies, no build tools', async (t) => {
  for (const run of inRuntime('RUN')) {
    const command = run.getArgumentsContent() ?? ''
    t.notMatch(command, /\b(pnpm|npm|yarn)\b[^&|;]*\b(install|i|add|ci|fetch)\b/, `no package install: ${command.slice(0, 60)}`)
  }
  const copy = runtime.instructions.find((i) => i.getKeyword() === 'COPY')
  const build = stages.find((stage) => copy !== undefined && stage.name === flagOf(copy, 'from'))
  const buildRuns = (build?.instructions ?? []).filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '')
  t.ok(buildRuns.some((command) => /pnpm install --prod --frozen-lockfile --offline --no-optional/.test(command)),
    'what the runtime copies was installed with --prod (and without the optional peers, see production-install.test.ts) from the lockfile')
})

t.test('every COPY --from names an earlier stage; every file a COPY takes from the context exists', async (t) => {
  const seen: string[] = []
  for (const stage of stages) {
    for (const copy of stage.instructions.filter((i) => i.getKeyword() === 'COPY')) {
      const from = flagOf(copy, 'from')
      const args = copy.getArguments().map((argument) => argument.getValue())
      if (from !== undefined) {
        t.ok(seen.includes(from), `COPY --from=${from} names an earlier stage`)
        continue
      }
      for (const source of args.slice(0, -1)) {
        t.ok(existsSync(join(repositoryRoot, source)), `the build context has ${source}`)
      }
    }
    if (stage.name !== null) seen.push(stage.name)
  }
  t.ok(seen.length > 0)
})

// pnpm resolves the lockfile with the patches pnpm-workspace.yaml names (it hashes each file):
// missing, `pnpm fetch` fails with ENOENT before a single source file is copied.
t.test('the layer that fetches the dependencies has every patch pnpm-workspace.yaml names', async (t) => {
  const workspace = parse(readFileSync(join(repositoryRoot, 'pnpm-workspace.yaml'), 'utf8')) as { patchedDependencies?: Record<string, string> }
  const patches = Object.values(workspace.patchedDependencies ?? {})
  t.ok(patches.length > 0, 'the workspace patches a dependency')
  const build = stages[0]!
  const fetchAt = build.instructions.findIndex((i) => i.getKeyword() === 'RUN' && /\bpnpm fetch\b/.test(i.getArgumentsContent() ?? ''))
  t.ok(fetchAt > 0, 'the build stage runs pnpm fetch')
  const copied = build.instructions.slice(0, fetchAt).filter((i) => i.getKeyword() === 'COPY')
    .flatMap((copy) => copy.getArguments().map((argument) => argument.getValue()).slice(0, -1))
    .map((source) => source.replace(/^\.\//, '').replace(/\/$/, ''))
  for (const patch of patches) {
    t.ok(copied.some((source) => patch === source || patch.startsWith(`${source}/`)), `${patch} is copied before pnpm fetch`)
    t.ok(existsSync(join(repositoryRoot, patch)), `${patch} exists`)
  }
})

t.test('what the commands run is what the build produces', async (t) => {
  // The CMD and the dispatcher's command name compiled files: their sources exist, and the
  // packages build to dist/ (tsconfig.build.json outDir).
  for (const entry of ['packages/db/src/migrate-cli.ts', 'services/api/src/server.ts', 'services/dispatcher/src/server.ts']) {
    t.ok(existsSync(join(repositoryRoot, entry)), entry)
  }
  for (const dir of ['packages/db', 'services/api', 'services/dispatcher']) {
    t.match(readFileSync(join(repositoryRoot, dir, 'tsconfig.build.json'), 'utf8'), /"outDir": "dist"/, `${dir} builds to dist`)
  }
})
