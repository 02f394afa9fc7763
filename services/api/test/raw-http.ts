import { connect } from 'node:net'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Whether `received` holds a whole response: its head and as many body bytes as it announced. */
export function completeResponse (received: string): boolean {
  const end = received.indexOf('\r\n\r\n')
  if (end === -1) return false
  const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, end))
  return length !== null && Buffer.byteLength(received.slice(end + 4), 'latin1') >= Number(length[1])
}

/** The response in `received` (status 0 if none came). */
export function parseResponse (received: string): RawResponse {
  const [headText = '', ...rest] = received.split('\r\n\r\n')
  const [statusLine = '', ...headerLines] = headText.split('\r\n')
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0)
  const headers = Object.fromEntries(headerLines.map((line) => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]
  }))
  return { status, headers, body: rest.join('\r\n\r\n') }
}

/**
 * A connection written to by hand, step by step: `answered` settles once a whole response came or
 * the server closed, `received` is what came so far.
 */
export function rawConnection (port: number) {
  const socket = connect(port, '127.0.0.1')
  let received = ''
  let settle!: () => void
  const answered = new Promise<void>((resolve) => { settle = resolve })
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1')
    if (completeResponse(received)) settle()
  })
  socket.on('close', () => { settle() })
  socket.on('error', () => { settle() })
  return { socket, answered, received: () => received }
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body` as bytes on a fresh
 * connection, exactly as written (with `Connection: close` unless `keepAlive`): no client
 * library normalises the target. Resolves with the first
 * response as soon as it is complete, whether or not the server read (or got) the whole body.
 */
export async function rawRequest (port: number, head: string, body = '', options: { keepAlive?: boolean } = {}): Promise<RawResponse> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    let done = false
    const finish = () => {
      if (done) return
      done = true
      resolve(parseResponse(received))
      socket.destroy()
    }
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1')
      if (completeResponse(received)) finish()
    })
    socket.on('end', finish)
    socket.on('error', (error) => { if (received === '') reject(error); else finish() })
    // keepAlive: the server decides whether the connection stays (its Connection header says so).
    socket.write(`${head}\r\n${options.keepAlive === true ? '' : 'Connection: close\r\n'}\r\n`)
    if (body !== '') socket.write(body)
  })
}
