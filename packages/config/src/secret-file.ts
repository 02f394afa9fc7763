import { readFileSync } from 'node:fs'

/**
 * The content of a secret file as Docker (`secrets:`) and Kubernetes (Secret volumes) mount them,
 * its trailing newline(s) dropped: `echo secret > file` and editors add one that is no part of
 * the secret. Anything else, spaces included, is kept as written.
 *
 * A file that cannot be read is a problem naming the path and the reason (ENOENT, EACCES, EISDIR),
 * never a word of the content.
 */
export function readSecretFile (variable: string, path: string): { value: string } | { problem: string } {
  try {
    return { value: readFileSync(path, 'utf8').replace(/(\r?\n)+$/, '') }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    return { problem: `${variable} names ${path}, which cannot be read (${reason})` }
  }
}
