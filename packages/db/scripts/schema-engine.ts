// Loads Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm) and connects it
// to PostgreSQL through @prisma/adapter-pg. The native engine that `prisma migrate diff` needs cannot
// be downloaded on this machine; the WASM build does the same diffing in process. Dev tooling only.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SchemaEngine } from '@prisma/schema-engine-wasm'

type EngineModule = typeof import('@prisma/schema-engine-wasm')
type WasmExports = Record<string, unknown>

// The workspace compiles against ES2023 + @types/node, which do not declare WebAssembly (lib.dom does).
declare const WebAssembly: {
  instantiate (bytes: Uint8Array, imports: Record<string, object>): Promise<{ instance: { exports: WasmExports } }>
}

interface PgAdapter { dispose (): Promise<void> }

// The engine calls the factory through Prisma's error-capturing binder (methods that return
// `{ ok, value | error }`), which is what the Prisma CLI hands it. adapter-pg depends on that binder,
// so it is loaded from there and always matches the adapter's version.
interface AdapterBinder {
  bindMigrationAwareSqlAdapterFactory (factory: object): object
}

let engineModule: Promise<EngineModule> | undefined

/** Instantiates the WASM module once per process (its entry file imports `.wasm`, which Node 20 cannot). */
function loadEngineModule (): Promise<EngineModule> {
  engineModule ??= (async () => {
    const glueUrl = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
    const glue = await import(glueUrl) as EngineModule & { __wbg_set_wasm (exports: WasmExports): void }
    const bytes = await readFile(new URL('schema_engine_bg.wasm', glueUrl))
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue })
    glue.__wbg_set_wasm(instance.exports)
    ;(instance.exports.__wbindgen_start as () => void)()
    return glue
  })()
  return engineModule
}

async function loadBinder (): Promise<AdapterBinder> {
  const fromAdapter = createRequire(new URL(import.meta.resolve('@prisma/adapter-pg')))
  return await import(fromAdapter.resolve('@prisma/driver-adapter-utils')) as AdapterBinder
}

const CHAR_OID = 18
const TEXT_OID = 25

// The engine reads pg_catalog columns of type "char" (pg_constraint.contype, confdeltype, ...), and
// adapter-pg 7.10 rejects that type ("Column type 'char' could not be deserialized"). Its values
// arrive as one-letter strings anyway, so the result is relabelled as text before the adapter maps
// the column types. performIO is adapter-pg's internal query step; fail loudly if it goes away.
function readCharAsText (adapter: object): void {
  const internals = adapter as { performIO?: (query: unknown) => Promise<{ fields?: Array<{ dataTypeID: number }> }> }
  const performIO = internals.performIO?.bind(adapter)
  if (performIO === undefined) {
    throw new Error('@prisma/adapter-pg changed: PgQueryable.performIO is gone; revisit readCharAsText in scripts/schema-engine.ts')
  }
  internals.performIO = async (query) => {
    const result = await performIO(query)
    for (const field of result.fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID
    return result
  }
}

export interface ConnectedEngine {
  engine: SchemaEngine
  /** Frees the engine and ends its connection pool. */
  close (): Promise<void>
}

/**
 * A schema engine whose "live database" is `url`. The datamodel is the schema the engine starts
 * with (it reads the provider from it).
 */
export async function connectSchemaEngine (url: string, datamodel: { path: string, content: string }): Promise<ConnectedEngine> {
  const [engineLib, binder] = await Promise.all([loadEngineModule(), loadBinder()])
  const pg = new PrismaPg({ connectionString: url, max: 2 })
  const adapters: PgAdapter[] = []
  const factory = binder.bindMigrationAwareSqlAdapterFactory({
    provider: pg.provider,
    adapterName: pg.adapterName,
    async connect () {
      const adapter = await pg.connect()
      readCharAsText(adapter)
      adapters.push(adapter)
      return adapter
    },
    // Never delegated: adapter-pg builds the shadow pool as `{ connectionString, database }` and pg
    // lets the connection string win, so the "shadow" database would be `url` itself, which the
    // engine then resets. The diffs here (live database or empty to a schema) need no shadow.
    async connectToShadowDb () {
      throw new Error('this tool does not use a shadow database')
    }
  })
  const debug = process.env.DEBUG_SCHEMA_ENGINE === '1'
  const engine = await engineLib.SchemaEngine.new(
    { datamodels: [[datamodel.path, datamodel.content]] },
    (log: string) => { if (debug) console.error(log) },
    factory
  )
  let closed = false
  return {
    engine,
    async close () {
      if (closed) return
      closed = true
      engine.free()
      await Promise.all(adapters.map((adapter) => adapter.dispose()))
    }
  }
}
