// Lists README.md's guarantees with the tests that hold them; exits 1 when one has no test, a test
// names an unknown guarantee, or a reference stands above no test (scripts/test.mjs runs it).
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkGuarantees, findReferences, readGuarantees } from '../src/guarantees.js'

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const check = checkGuarantees(readGuarantees(await readFile(join(root, 'README.md'), 'utf8')), await findReferences(root))

for (const g of check.guarantees) {
  const tests = g.heldBy.map((r) => `${r.file}:${r.line}`).join(', ')
  console.log(`# ${g.heldBy.length > 0 ? 'held' : 'NOT HELD'}  ${g.id} (README.md:${g.line}) ${g.sentence.slice(0, 110)}${g.sentence.length > 110 ? '…' : ''}`)
  if (tests !== '') console.log(`#     ${tests}`)
}
const problems = [
  ...check.unheld.map((g) => `README.md:${g.line}: guarantee "${g.id}" is held by no test (add // guarantee: ${g.id} above one)`),
  ...check.repeated.map((g) => `README.md:${g.line}: guarantee id "${g.id}" is used twice`),
  ...check.unknown.map((r) => `${r.file}:${r.line}: names guarantee "${r.id}", which README.md does not make`),
  ...check.misplaced.map((r) => `${r.file}:${r.line}: the reference to "${r.id}" stands above no t.test(…) call`)
]
for (const problem of problems) console.error(problem)
console.log(`# ${check.guarantees.length} guarantees, ${check.guarantees.length - check.unheld.length} held by tests, ${problems.length} problem(s)`)
// exitCode, not exit(): stdout into a pipe is written asynchronously, and exit() cut its last
// ~7 KB (the summary line among them) whenever the reader was slower than the pipe's 64 KB.
process.exitCode = problems.length > 0 ? 1 : 0
