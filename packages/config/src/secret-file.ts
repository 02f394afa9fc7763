import { readFileSync } from 'node:fs'

/**
 * The content of a secret file as Docker (`secrets:`) and Kubernetes (Secret volumes) mount them,
 * its trailing newline(s) dropped: `echo secret > file` and editors add one that is no part of
 * the secret. Anything else, spaces included, is kept as written.
 *
 * A file that cannot be read is a problem naming the path and the reason (ENOENT, EACCES, EISDIR),
 * never a word of the content. The path itself is named only when something is there (EACCES,
 * EISDIR): a value that names nothing may be the secret typed into NAME_FILE by mistake.
 */
export function readSecretFile (variable: string, path: string): { value: string } | { problem: string } {
  try {
    return { value: withoutTrailingNewlines(readFileSync(path, 'utf8')) }
  } catch (error) {
    return { problem: unreadableFileProblem(variable, path, error) }
  }
}

// The codes of a path where something is: any other (ENOENT, ENOTDIR, ENAMETOOLONG for a long
// value without a slash, EINVAL, …) may come from a secret or a key pasted in place of its path.
const SOMETHING_THERE = new Set(['EACCES', 'EPERM', 'EISDIR'])

/**
 * Why the file `variable` names cannot be read, naming the path only when something is there: a
 * value that names nothing may be the secret itself (a password, a PEM key) typed in by mistake.
 */
export function unreadableFileProblem (variable: string, path: string, error: unknown): string {
  const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
  if (SOMETHING_THERE.has(reason)) return `${variable} names ${path}, which cannot be read (${reason})`
  return `${variable} names no existing file (${reason}); the value is not shown, as it may be the secret itself`
}

/** The text without its trailing line ends (\n or \r\n): a loop, as `/(\r?\n)+$/` takes quadratic time on a long run of them. */
function withoutTrailingNewlines (text: string): string {
  let end = text.length
  while (end > 0 && text[end - 1] === '\n') end -= end > 1 && text[end - 2] === '\r' ? 2 : 1
  return text.slice(0, end)
}
