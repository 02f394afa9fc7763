import { readFileSync } from 'node:fs'
import type { Shape, ShapeObject } from './jackson-reader.js'

/** One request as a PowerAuth client version sends it, and how that version reads the answer. */
export interface CorpusCall {
  /** `fixture`: a call of the client; `setup`: creates what later fixtures need (not a client call). */
  role: 'fixture' | 'setup'
  /** Unique in its file: the client method, `#variant` when one method is sent more than one way. */
  id: string
  /** The Java call, with its arguments. */
  call?: string
  /** Where it is built: PushServerClient.java at the tag, the method, the request model class. */
  source?: { file: string, method: string, request?: string }
  /** Why a setup entry exists. */
  why?: string
  /** Exactly what goes on the wire. `{{name}}` are placeholders; `body` is the exact JSON text, or null for none. */
  http: { method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, headers: Record<string, string>, body: string | null }
  /** The response class the client reads the answer into and its shape (see jackson-reader.ts). */
  response?: { class: string, source?: string, shape: Shape }
  /** Placeholders filled from the answer: name → dotted path in the response body. */
  captures?: Record<string, string>
  /**
   * A deliberate difference (README "PowerAuth compatibility"): the error Beacon answers instead,
   * which the client must still be able to read (its error parser fails on any other field).
   */
  refused?: { status: number, code: string, message: string, why: string }
  note?: string
}

export interface CorpusFile {
  version: string
  repository: string
  tag: string
  /** For a branch rather than a tag: the full commit the fixtures were derived from. */
  commit?: string
  client: { source: string, constructors: string[], restClient: string }
  jackson: Record<string, string | boolean>
  authentication: string
  /** Activations the PowerAuth server knows, for the device calls. */
  powerauthActivations: Record<string, { activationStatus: string, userId: string }>
  /** Response classes named by `ref:` in the shapes. */
  classes: Record<string, ShapeObject>
  /** Public client calls without a fixture, and why. */
  notSent: Array<{ call: string, reason: string }>
  calls: CorpusCall[]
}

export const CORPUS_VERSIONS = ['1.0.0', '1.3.0', '1.5.0', '1.9.1', 'develop-8e32a9a'] as const
export type CorpusVersion = typeof CORPUS_VERSIONS[number]

export function loadCorpus (version: CorpusVersion): CorpusFile {
  return JSON.parse(readFileSync(new URL(`./fixtures/${version}.json`, import.meta.url), 'utf8')) as CorpusFile
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g

/** The placeholders a text needs that `values` does not have. */
export function missingPlaceholders (text: string, values: ReadonlyMap<string, string>): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string).filter((name) => !values.has(name))
}

/** Fills the placeholders of a body (values as they are) or of a path (values URL-encoded, as the client does). */
export function fill (text: string, values: ReadonlyMap<string, string>, encode = false): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = values.get(name) as string
    return encode ? encodeURIComponent(value) : value
  })
}

/** The value at a dotted path (`responseObject.id`) of a parsed body. */
export function valueAt (body: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), body)
}
