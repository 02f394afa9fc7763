// The configuration tables of README.md, read as the settings' contract: a test holds each
// service's defaults and bounds to what its table states (services/*/test/**/config-readme.test.ts).

/** One row of a configuration table: the variables it names, its Default cell and its Meaning. */
export interface SettingRow { names: string[], defaultCell: string, meaning: string }

/**
 * The rows of the table under `heading` (a `### ` heading of README.md), by variable: a row naming
 * several (`APNS_TIMEOUT_MS`, `FCM_TIMEOUT_MS`) states the same for each.
 */
export function settingsTable (readme: string, heading: string): Map<string, SettingRow> {
  const lines = readme.split('\n')
  const start = lines.findIndex((line) => line.startsWith(`### ${heading}`))
  if (start < 0) throw new Error(`README.md has no heading "### ${heading}"`)
  const end = lines.findIndex((line, i) => i > start && /^#{2,3} /.test(line))
  const rows = new Map<string, SettingRow>()
  for (const line of lines.slice(start + 1, end < 0 ? undefined : end)) {
    const cells = /^\| ((?:`[A-Z0-9_]+`(?:, )?)+) \| ([^|]*) \| (.*)$/.exec(line)
    if (cells === null) continue
    const names = [...cells[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((match) => match[1]!)
    for (const name of names) rows.set(name, { names, defaultCell: cells[2]!.trim(), meaning: cells[3]! })
  }
  return rows
}

/** The value a Default cell states first: `` `8080` `` and `` `true` (`npm start`: `false`) `` give 8080 and true. */
export function statedDefault (row: SettingRow): string | undefined {
  return /^`([^`]*)`/.exec(row.defaultCell)?.[1]
}

const UNIT: Record<string, number> = { KiB: 1024, MiB: 1024 ** 2 }

/**
 * The bounds a Meaning cell states: the first `(min–max` in it, in plain numbers or in KiB/MiB
 * (`1 KiB – 100 MiB`); undefined when it states none.
 */
export function statedRange (row: SettingRow): [number, number] | undefined {
  const sized = /(\d+) (KiB|MiB) – (\d+) (KiB|MiB)/.exec(row.meaning)
  if (sized !== null) return [Number(sized[1]) * UNIT[sized[2]!]!, Number(sized[3]) * UNIT[sized[4]!]!]
  const plain = /\((\d+)–(\d+)/.exec(row.meaning) ?? /(?:^|[ ;,])(\d+)–(\d+)(?=[ ;,)]|$)/.exec(row.meaning)
  return plain === null ? undefined : [Number(plain[1]), Number(plain[2])]
}

/**
 * A setting as a configuration loader read it: its fallback, and an integer's bounds. A `text`
 * read (every other kind reads its text first) says only that the variable is read.
 */
export interface SettingRead { name: string, kind: 'text' | 'integer' | 'boolean' | 'oneOf' | 'matching', fallback?: string, min?: number, max?: number }

interface ReaderMethods {
  string: (name: string, options?: { required?: boolean }) => string
  matching: (name: string, pattern: RegExp, rule: string, fallback: string) => string
  integer: (name: string, fallback: number, min: number, max: number) => number
  boolean: (name: string, fallback: boolean) => boolean
  oneOf: (name: string, allowed: readonly string[], fallback: string) => string
}

/**
 * Runs `load` while `reader` (the prototype of @beacon/config's EnvReader) records every variable
 * read, and what each integer, boolean, one-of and pattern setting is read with; the methods are
 * restored after.
 */
export function recordSettingReads (reader: ReaderMethods, load: () => unknown): SettingRead[] {
  const reads: SettingRead[] = []
  const { string, matching, integer, boolean, oneOf } = reader
  reader.string = function (name, options) {
    reads.push({ name, kind: 'text' })
    return string.call(this, name, options)
  }
  reader.matching = function (name, pattern, rule, fallback) {
    reads.push({ name, kind: 'matching', fallback })
    return matching.call(this, name, pattern, rule, fallback)
  }
  reader.integer = function (name, fallback, min, max) {
    reads.push({ name, kind: 'integer', fallback: String(fallback), min, max })
    return integer.call(this, name, fallback, min, max)
  }
  reader.boolean = function (name, fallback) {
    reads.push({ name, kind: 'boolean', fallback: String(fallback) })
    return boolean.call(this, name, fallback)
  }
  reader.oneOf = function (name, allowed, fallback) {
    reads.push({ name, kind: 'oneOf', fallback })
    return oneOf.call(this, name, allowed, fallback)
  }
  try {
    load()
  } finally {
    Object.assign(reader, { string, matching, integer, boolean, oneOf })
  }
  return reads
}

/**
 * Where what a loader read differs from its table: a setting the table lacks, another default, or
 * an integer whose bounds the table does not state or states otherwise. [] when they agree.
 * `given`: the settings the loader was given a value for.
 */
export function settingProblems (reads: SettingRead[], rows: Map<string, SettingRow>, given: string[] = []): string[] {
  const problems: string[] = []
  for (const read of reads) {
    const row = rows.get(read.name)
    if (row === undefined) {
      if (!problems.includes(`${read.name} is read but has no row in the table`)) problems.push(`${read.name} is read but has no row in the table`)
      continue
    }
    if (read.kind === 'text') continue
    const stated = statedDefault(row)
    // One the loader was given is read only when set (its row says "unset"): its fallback is no default.
    if (!given.includes(read.name) && stated !== read.fallback) problems.push(`${read.name}: the table's default is ${stated ?? row.defaultCell}, the code's ${read.fallback}`)
    if (read.kind !== 'integer') continue
    const range = statedRange(row)
    if (range === undefined) problems.push(`${read.name}: the table states no bounds; the code takes ${read.min}–${read.max}`)
    else if (range[0] !== read.min || range[1] !== read.max) problems.push(`${read.name}: the table states ${range[0]}–${range[1]}, the code takes ${read.min}–${read.max}`)
  }
  return problems
}
