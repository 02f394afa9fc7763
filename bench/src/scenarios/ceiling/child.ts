import { fork, type ChildProcess } from 'node:child_process'

/** A Node child process running a TypeScript file of the bench, asked to do work over IPC. */
export interface Child<Request, Reply> {
  process: ChildProcess
  /** Sends one request and resolves with the child's reply (rejects with its error). */
  ask (request: Request): Promise<Reply>
  /** Ends the child and waits for it to be gone. */
  close (): Promise<void>
}

/**
 * Forks `file` through tsx, like the services run from sources. IPC rather than stdout carries
 * the work and the figures, so one process can take several runs (warm-up, trials, the run
 * itself) and its output stays free for errors.
 */
export function startChild<Request, Reply> (file: string, env: Record<string, string> = {}): Child<Request, Reply> {
  const child = fork(file, [], {
    // BENCH_CHILD_NODE_ARGS adds node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` for a
    // profile (node refuses --cpu-prof in NODE_OPTIONS).
    execArgv: ['--import=tsx', '--conditions=beacon-source', ...(process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  let output = ''
  const collect = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000) }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    process: child,
    ask: (request) => new Promise<Reply>((resolve, reject) => {
      const onMessage = (message: Reply | { error: string }) => {
        child.off('exit', onExit)
        if (typeof message === 'object' && message !== null && 'error' in message) reject(new Error(`${file}: ${message.error}`))
        else resolve(message)
      }
      const onExit = (code: number | null, signal: string | null) => {
        child.off('message', onMessage)
        reject(new Error(`${file} exited (${code ?? signal}); output:\n${output}`))
      }
      child.once('message', onMessage)
      child.once('exit', onExit)
      child.send(request as object)
    }),
    async close () {
      if (child.exitCode !== null || child.signalCode !== null) return
      // Closing the channel lets the child exit on its own (so --cpu-prof can write its
      // profile); one that does not within two seconds is killed.
      if (child.connected) child.disconnect()
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
      await exited
      clearTimeout(timer)
    }
  }
}

/**
 * The child's side: answers each request with `handle`'s result, or `{ error }`. It exits when
 * the parent goes away, so an interrupted benchmark leaves no process behind.
 */
export function serveParent<Request, Reply> (handle: (request: Request) => Promise<Reply>): void {
  process.on('disconnect', () => process.exit(0))
  process.on('message', (request: Request) => {
    handle(request).then(
      (reply) => process.send!(reply as object),
      (error: unknown) => process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
    )
  })
}
