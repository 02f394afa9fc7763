import { readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute } from 'node:path'

/**
 * The content of a secret file as Docker (`secrets:`) and Kubernetes (Secret volumes) mount them,
 * its trailing newline(s) dropped: `echo secret > file` and editors add one that is no part of
 * the secret. Anything else, spaces included, is kept as written.
 *
 * A file that cannot be read is a problem naming the path and the reason (ENOENT, EACCES, EISDIR),
 * never a word of the content. The path itself is named only when it is absolute and its folder
 * exists: any other value is more likely the secret typed into NAME_FILE by mistake than a path.
 */
export function readSecretFile (variable: string, path: string): { value: string } | { problem: string } {
  try {
    return { value: readFileSync(path, 'utf8').replace(/(\r?\n)+$/, '') }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    return { problem: `${variable} names ${describePath(path)}, which cannot be read (${reason})` }
  }
}

/** The path for a message: itself when absolute with an existing folder, else words (it may be a secret). */
export function describePath (path: string): string {
  try {
    if (isAbsolute(path) && statSync(dirname(path)).isDirectory()) return path
  } catch {}
  return 'a path that is not absolute or in no existing folder (not shown: it may be the secret itself)'
}
