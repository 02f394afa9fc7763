// README guarantees and the tests that hold them. A guarantee is a sentence of README.md followed
// by `<!-- guarantee: some-id -->`; a test holds it when a `// guarantee: some-id` comment stands
// just above the test's `t.test(` call. `npm test` fails while a guarantee has no test, a test names
// a guarantee the README does not make, or a reference stands above no test.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'

export interface Guarantee { id: string, line: number, sentence: string }
export interface GuaranteeReference { id: string, file: string, line: number, precedesTest: boolean }

const ID = '[a-z0-9]+(?:-[a-z0-9]+)*'
const README_MARKER = new RegExp(`<!--\\s*guarantee:\\s*(${ID})\\s*-->`, 'g')
const TEST_MARKER = new RegExp(`^\\s*//\\s*guarantee:\\s*(${ID}(?:\\s*,\\s*${ID})*)\\s*$`)
// The next statement is a test: t.test(…), tap.test(…), test(…), possibly awaited.
const TEST_CALL = /^\s*(?:await\s+)?(?:[A-Za-z_$][\w$]*\.)?test\(/

/** Each marker of the README with the sentence it follows (the paragraph's text up to it). */
export function readGuarantees (readme: string): Guarantee[] {
  const lines = readme.split('\n')
  const found: Guarantee[] = []
  lines.forEach((text, index) => {
    for (const match of text.matchAll(README_MARKER)) {
      found.push({ id: match[1]!, line: index + 1, sentence: sentenceBefore(lines, index, match.index) })
    }
  })
  return found
}

function sentenceBefore (lines: string[], index: number, column: number): string {
  const paragraph = [lines[index]!.slice(0, column)]
  for (let i = index - 1; i >= 0; i--) {
    const text = lines[i]!
    if (text.trim() === '' || /^\s*(?:[-|]|\d+\.)\s/.test(lines[i + 1]!) || /^\s*#/.test(text)) break
    paragraph.unshift(text)
  }
  const flat = paragraph.join(' ').replace(README_MARKER, '').replace(/\s+/g, ' ').trim()
  const sentences = flat.split(/(?<=[.;:])\s+(?=[A-Z`*(])/)
  return sentences.at(-1)!.replace(/^(?:\||-|\d+\.)?\s*/, '')
}

/** `// guarantee:` comments of one test file, each with whether a test call follows it. */
export function readReferences (file: string, source: string): GuaranteeReference[] {
  const lines = source.split('\n')
  const found: GuaranteeReference[] = []
  lines.forEach((text, index) => {
    const match = TEST_MARKER.exec(text)
    if (match === null) return
    let next = index + 1
    while (next < lines.length && (lines[next]!.trim() === '' || /^\s*\/\//.test(lines[next]!))) next++
    const precedesTest = next < lines.length && TEST_CALL.test(lines[next]!)
    for (const id of match[1]!.split(',')) found.push({ id: id.trim(), file, line: index + 1, precedesTest })
  })
  return found
}

const TEST_FOLDERS = ['packages', 'services', 'tests']

/** Every reference in the test folders of the workspace (`<group>/<name>/test/**` and `bench/test`). */
export async function findReferences (root: string): Promise<GuaranteeReference[]> {
  const folders: string[] = [join(root, 'bench', 'test')]
  for (const group of TEST_FOLDERS) {
    const names = await readdir(join(root, group)).catch(() => [] as string[])
    folders.push(...names.map((name) => join(root, group, name, 'test')))
  }
  const found: GuaranteeReference[] = []
  for (const folder of folders) {
    for (const file of await sourceFiles(folder)) {
      found.push(...readReferences(relative(root, file), await readFile(file, 'utf8')))
    }
  }
  return found
}

async function sourceFiles (folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => [])
  const files: string[] = []
  for (const entry of entries) {
    const path = join(folder, entry.name)
    if (entry.isDirectory() && entry.name !== 'node_modules') files.push(...await sourceFiles(path))
    else if (/\.(?:ts|mts|js|mjs)$/.test(entry.name)) files.push(path)
  }
  return files
}

export interface GuaranteeCheck {
  guarantees: Array<Guarantee & { heldBy: GuaranteeReference[] }>
  /** README ids no test references */
  unheld: Guarantee[]
  /** ids used twice in the README */
  repeated: Guarantee[]
  /** references to ids the README does not have */
  unknown: GuaranteeReference[]
  /** references that stand above no test call */
  misplaced: GuaranteeReference[]
}

export function checkGuarantees (guarantees: Guarantee[], references: GuaranteeReference[]): GuaranteeCheck {
  const ids = new Set(guarantees.map((g) => g.id))
  const seen = new Set<string>()
  const repeated = guarantees.filter((g) => seen.has(g.id) || !seen.add(g.id))
  const placed = references.filter((r) => r.precedesTest)
  const withTests = guarantees.map((g) => ({ ...g, heldBy: placed.filter((r) => r.id === g.id) }))
  return {
    guarantees: withTests,
    unheld: withTests.filter((g) => g.heldBy.length === 0).map(({ heldBy, ...g }) => g),
    repeated,
    unknown: references.filter((r) => !ids.has(r.id)),
    misplaced: references.filter((r) => !r.precedesTest)
  }
}
