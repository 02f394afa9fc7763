import { spawnSync } from 'node:child_process'

/** The commit a run measured, and whether the work tree had changes beside it; null where git cannot say. */
export interface SourceVersion { commit: string | null, uncommitted: boolean | null }

const git = (root: string, args: string[]): string | null => {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : null
}

/**
 * Read before the run: the results a run writes (bench/results) are not counted as changes, nor
 * the console's screenshots the test suite rewrites (docs/console). Notes and the README quote
 * runs by commit; this puts the commit in the results themselves.
 */
export function sourceVersion (root: string): SourceVersion {
  const commit = git(root, ['rev-parse', 'HEAD'])
  const status = git(root, ['status', '--porcelain', '--', '.', ':(exclude)bench/results', ':(exclude)docs/console'])
  return { commit, uncommitted: status === null ? null : status !== '' }
}

/** "on commit 0123abc", with "(uncommitted changes beside it)" when there were. */
export function sourceLabel ({ commit, uncommitted }: SourceVersion): string {
  if (commit === null) return 'on an unknown commit'
  return `on commit ${commit.slice(0, 7)}${uncommitted === true ? ' (uncommitted changes beside it)' : ''}`
}
