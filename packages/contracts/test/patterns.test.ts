import { checkSync } from 'recheck'
import t from 'tap'
import { Value } from 'typebox/value'
import * as contracts from '../src/index.js'

/** Every `pattern` in the exported schemas, with where it was found. */
function patterns (value: unknown, path: string, found: Map<string, string>, seen = new Set<unknown>()): Map<string, string> {
  if (typeof value !== 'object' || value === null || seen.has(value)) return found
  seen.add(value)
  for (const [key, child] of Object.entries(value)) {
    if (key === 'pattern' && typeof child === 'string') found.set(child, path)
    else patterns(child, `${path}.${key}`, found, seen)
  }
  return found
}

t.test('no pattern of the contracts can backtrack catastrophically (recheck: safe)', async (t) => {
  const found = patterns(contracts, 'contracts', new Map())
  found.set(contracts.USER_ADDRESS_PATTERN, 'USER_ADDRESS_PATTERN')
  t.ok(found.size >= 15, `${found.size} patterns`)
  for (const [pattern, where] of found) {
    // ajv compiles patterns with the u flag.
    const diagnostics = checkSync(pattern, 'u')
    t.equal(diagnostics.status, 'safe', `${where}: ${pattern} (${JSON.stringify(diagnostics.status === 'vulnerable' ? diagnostics.complexity : diagnostics.status)})`)
  }
  // The control: the checker does see the quadratic pattern Base64String had.
  const previous = checkSync('^[A-Za-z0-9+/\\s]+={0,2}\\s*$', 'u')
  t.match(previous, { status: 'vulnerable', complexity: { type: 'polynomial', degree: 2 } })
})

t.test('Base64String: whitespace anywhere, padding optional; a long run of spaces is just refused', async (t) => {
  for (const good of ['QUJD', 'QUI=', 'QQ==', 'QUJD\nREVG\n', '  QU JD  ', 'QQ= =\n']) t.ok(Value.Check(contracts.Base64String, good), JSON.stringify(good))
  for (const bad of ['', 'QQ===', 'QU=JD', 'QUJD!', ' '.repeat(65_535) + '!']) t.notOk(Value.Check(contracts.Base64String, bad), JSON.stringify(bad.slice(-10)))
  const errors = [...Value.Errors(contracts.Base64String, 'A'.repeat(1024 * 1024))]
  t.match(errors[0]?.keyword, 'maxLength', 'a 1 MiB value is refused by its length')
})
