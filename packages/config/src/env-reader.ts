import { readSecretFile } from './secret-file.js'

export type Env = Record<string, string | undefined>

/** Every problem of a configuration at once, one line each, so an operator fixes them in one go. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  constructor (readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
}

/**
 * Reads environment variables, collecting a clear message per bad value instead of throwing at
 * the first. Call `done()` at the end: it throws a ConfigError listing every problem.
 */
export class EnvReader {
  readonly problems: string[] = []
  constructor (private readonly env: Env) {}

  string (name: string, { required = false } = {}): string {
    const value = this.env[name]?.trim() ?? ''
    if (required && value === '') this.problems.push(`${name} is required`)
    return value
  }

  /**
   * A secret: NAME itself, or the file NAME_FILE names (how Docker and Kubernetes hand secrets
   * over, keeping them out of the environment and `docker inspect`). Both set is a mistake, not a
   * choice: which one wins would be a guess. No problem ever quotes the value or the file's content.
   */
  secret (name: string, { required = false } = {}): string {
    const fileVariable = `${name}_FILE`
    const path = this.string(fileVariable)
    if (path === '') {
      const value = this.string(name)
      if (required && value === '') this.problems.push(`${name} is required (or ${fileVariable}, the path of a file holding it)`)
      return value
    }
    if (this.string(name) !== '') {
      this.problems.push(`${name} and ${fileVariable} are both set: set only one of them`)
      return ''
    }
    const read = readSecretFile(fileVariable, path)
    if ('problem' in read) {
      this.problems.push(read.problem)
      return ''
    }
    if (required && read.value === '') this.problems.push(`${fileVariable} names ${path}, which is empty`)
    return read.value
  }

  integer (name: string, fallback: number, min: number, max: number): number {
    const text = this.string(name)
    if (text === '') return fallback
    const value = Number(text)
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${text}"`)
      return fallback
    }
    return value
  }

  boolean (name: string, fallback: boolean): boolean {
    const text = this.string(name).toLowerCase()
    if (text === '') return fallback
    if (text === 'true' || text === '1') return true
    if (text === 'false' || text === '0') return false
    this.problems.push(`${name} must be true or false, got "${text}"`)
    return fallback
  }

  oneOf<T extends string> (name: string, allowed: readonly T[], fallback: T): T {
    const text = this.string(name)
    if (text === '') return fallback
    if ((allowed as readonly string[]).includes(text)) return text as T
    this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${text}"`)
    return fallback
  }

  /** A value that must match `pattern`; `rule` says in words what that is. */
  matching (name: string, pattern: RegExp, rule: string, fallback: string): string {
    const text = this.string(name)
    if (text === '') return fallback
    if (pattern.test(text)) return text
    this.problems.push(`${name} must be ${rule}, got "${text}"`)
    return fallback
  }

  /**
   * A value turned into something else by `parse`, which throws when the text is unusable.
   * `secret`: read as secret() does, from NAME or NAME_FILE.
   */
  parsed<T> (name: string, parse: (text: string) => T, rule: string, fallback: T, { required = false, secret = false } = {}): T {
    const text = secret ? this.secret(name, { required }) : this.string(name, { required })
    if (text === '') return fallback
    try {
      return parse(text)
    } catch {
      this.problems.push(`${name} must be ${rule}`)
      return fallback
    }
  }

  check (ok: boolean, problem: string): void {
    if (!ok) this.problems.push(problem)
  }

  done (): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems)
  }
}

/** For a service's entry point: the configuration, or its problems on stderr and exit code 1. */
export function loadOrExit<T> (load: () => T): T {
  try {
    return load()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
}
