// README guarantees and the tests that hold them. A guarantee is a sentence of README.md followed
// by `<!-- guarantee: some-id -->` (outside code blocks); a test holds it when a `// guarantee: some-id`
// comment stands just above the `t.test(` call of a test that runs, in a `*.test.*` file. `npm test`
// fails while a guarantee has no test, a test names a guarantee the README does not make, or a
// reference stands above no test.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import ts from 'typescript'

export interface Guarantee { id: string, line: number, sentence: string }
export interface GuaranteeReference { id: string, file: string, line: number, precedesTest: boolean }

const ID = '[a-z0-9]+(?:-[a-z0-9]+)*'
const README_MARKER = new RegExp(`<!--\\s*guarantee:\\s*(${ID})\\s*-->`, 'g')
const TEST_MARKER = new RegExp(`^\\s*//\\s*guarantee:\\s*(${ID}(?:\\s*,\\s*${ID})*)\\s*$`)

/** Each marker of the README with the sentence it follows (the paragraph's text up to it). */
export function readGuarantees (readme: string): Guarantee[] {
  const lines = readme.split('\n')
  const found: Guarantee[] = []
  let fenced = false
  lines.forEach((text, index) => {
    if (/^\s*```/.test(text)) fenced = !fenced
    if (fenced) return // an example, not a promise
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

/**
 * `// guarantee:` comments of one test file. A reference counts (`precedesTest`) only among the
 * leading comments of a statement that runs a test: `t.test(name, [options,] fn)` (or `test(…)`,
 * awaited or not) with a function and without `skip`, `todo` or `only` in its options. One in a
 * block comment, a string, above a skipped test or above anything else does not.
 */
export function readReferences (file: string, source: string): GuaranteeReference[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const lineOf = (position: number) => sourceFile.getLineAndCharacterOfPosition(position).line + 1
  const placed = new Set<number>()
  const visit = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node) && runsTest(node.expression)) {
      for (const comment of ts.getLeadingCommentRanges(source, node.getFullStart()) ?? []) {
        if (comment.kind === ts.SyntaxKind.SingleLineCommentTrivia) placed.add(lineOf(comment.pos))
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  const found: GuaranteeReference[] = []
  source.split('\n').forEach((text, index) => {
    const match = TEST_MARKER.exec(text)
    if (match === null) return
    for (const id of match[1]!.split(',')) found.push({ id: id.trim(), file, line: index + 1, precedesTest: placed.has(index + 1) })
  })
  return found
}

function runsTest (expression: ts.Expression): boolean {
  const call = ts.isAwaitExpression(expression) ? expression.expression : expression
  if (!ts.isCallExpression(call)) return false
  const callee = call.expression
  const named = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : ''
  if (named !== 'test' || call.arguments.length < 2) return false
  const [name, ...rest] = call.arguments
  const fn = rest.at(-1)!
  const options = rest.length > 1 ? rest[0] : undefined
  const isName = ts.isStringLiteralLike(name!) || ts.isTemplateExpression(name!)
  const isFunction = ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isIdentifier(fn)
  return isName && isFunction && !(options !== undefined && ts.isObjectLiteralExpression(options) && options.properties.some(disablesTest))
}

// { skip: true }, { todo: 'later' }, { only: true }: anything but a literal false leaves the test unrun
// (or, with only, the others).
function disablesTest (property: ts.ObjectLiteralElementLike): boolean {
  const key = property.name !== undefined && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : ''
  if (!['skip', 'todo', 'only'].includes(key)) return false
  return !(ts.isPropertyAssignment(property) && property.initializer.kind === ts.SyntaxKind.FalseKeyword)
}

const TEST_FOLDERS = ['packages', 'services', 'tests']

/**
 * Every reference in the test folders of the workspace (`<group>/<name>/test/**`, `bench/test`, and
 * `scripts/test`, the root scripts' own tests, which npm test runs too).
 */
export async function findReferences (root: string): Promise<GuaranteeReference[]> {
  const folders: string[] = [join(root, 'bench', 'test'), join(root, 'scripts', 'test')]
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
    else if (/\.test\.(?:ts|mts|js|mjs)$/.test(entry.name)) files.push(path)
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
