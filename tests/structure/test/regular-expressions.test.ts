import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkSync } from 'recheck'
import t from 'tap'
import ts from 'typescript'
import { production, repositoryRoot, sourceFiles } from './workspace.js'

// Much of what the services match with a regular expression comes from outside: URLs, headers,
// provider answers, log lines. A pattern that can backtrack catastrophically lets one request hold
// the event loop (the access log's query pattern took ~150 ms for a 16 KB URL of `?`, before any
// authentication). The contracts' schema patterns have their own check (packages/contracts);
// this one reads every regular-expression literal of the production sources.

/** Every regular-expression literal of a TypeScript source, as pattern and flags. */
export function regularExpressionLiterals (source: string): Array<{ pattern: string, flags: string }> {
  const file = ts.createSourceFile('source.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const found: Array<{ pattern: string, flags: string }> = []
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = node.getText(file)
      const end = text.lastIndexOf('/')
      found.push({ pattern: text.slice(1, end), flags: text.slice(end + 1) })
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

t.test('the literals are found as TypeScript reads them, not as a text search would', async (t) => {
  // A template literal whose text looks like a pattern, around a real one.
  const template = '`/not/ $' + '{/z+/.source}`'
  const source = `const a = /x[/]y/gu\nconst b = 4 / 2 / 1 // not /one/\nconst c = ${template}\n`
  t.same(regularExpressionLiterals(source), [{ pattern: 'x[/]y', flags: 'gu' }, { pattern: 'z+', flags: '' }])
})

t.test('no regular expression of the production code can backtrack catastrophically (recheck: safe)', async (t) => {
  const files = production.flatMap((folder) => sourceFiles(folder))
  const literals = files.flatMap((file) => regularExpressionLiterals(readFileSync(join(repositoryRoot, file), 'utf8')).map((literal) => ({ file, ...literal })))
  t.ok(literals.length >= 30, `every literal is read (${literals.length} in ${files.length} files)`)
  for (const { file, pattern, flags } of literals) {
    const diagnostics = checkSync(pattern, flags)
    t.equal(diagnostics.status, 'safe', `${file}: /${pattern}/${flags} (${JSON.stringify(diagnostics.status === 'vulnerable' ? diagnostics.complexity : diagnostics.status)})`)
  }
  // The control: the checker sees the quadratic query pattern the access log had until 2026-12-05.
  t.match(checkSync('([?&])([^=&#]*)=([^&#]*)', 'g'), { status: 'vulnerable', complexity: { type: 'polynomial', degree: 2 } })
})
