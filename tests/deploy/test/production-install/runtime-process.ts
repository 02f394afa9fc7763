// A command of the image run from the runtime folder as the container runs it: that folder as the
// working directory (WORKDIR /app) and only the environment given (plus PATH to this Node), so
// that nothing of the repository or of the test runner helps. Through `env -i`: tap adds its
// NODE_OPTIONS (a process-tracking --import) to whatever environment a test spawns with.
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname } from 'node:path'

export interface RuntimeProcess {
  child: ChildProcess
  output (): string
  /** Polls `url` until it answers 200; rejects with the output if the process exits or time runs out. */
  answers (url: string, timeoutMs?: number): Promise<void>
  /** SIGTERM, then the exit code (or the signal that ended it). */
  stop (): Promise<number | string>
}

export function startInRuntime (runtimeDir: string, argv: string[], env: Record<string, string>): RuntimeProcess {
  const variables = Object.entries({ PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, ...env }).map(([name, value]) => `${name}=${value}`)
  const child = spawn('/usr/bin/env', ['-i', ...variables, ...argv], { cwd: runtimeDir, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  let ended = false
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true
      resolve(code ?? signal ?? 'unknown')
    })
    // Not started at all (no such command or folder): no 'exit' follows.
    child.once('error', (error) => {
      output += `${error.message}\n`
      ended = true
      resolve('not started')
    })
  })

  return {
    child,
    output: () => output,
    async answers (url, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      let last = 'no answer'
      while (Date.now() < deadline) {
        if (ended) throw new Error(`${argv.join(' ')} exited before ${url} answered:\n${output}`)
        try {
          const response = await fetch(url)
          if (response.status === 200) return
          last = `${response.status} ${await response.text()}`
        } catch (error) {
          last = (error as Error).message
        }
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      throw new Error(`${url} did not answer 200 in ${timeoutMs} ms (last: ${last}):\n${output}`)
    },
    async stop () {
      if (!ended) child.kill('SIGTERM')
      return exited
    }
  }
}
