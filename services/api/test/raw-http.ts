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
 * the server closed, `closed` once the server closed; `received` is what came so far. The
 * `…Within` forms say whether that happened before `ms` passed (a bound on a regression, not a speed).
 */
export function rawConnection (port: number) {
  const socket = connect(port, '127.0.0.1')
  let received = ''
  let settle!: () => void
  const answered = new Promise<void>((resolve) => { settle = resolve })
  const closed = new Promise<void>((resolve) => { socket.once('close', () => { resolve() }) })
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1')
    if (completeResponse(received)) settle()
  })
  socket.on('close', () => { settle() })
  socket.on('error', () => { settle() })
  const within = async (event: Promise<void>, ms: number) => {
    let timer: NodeJS.Timeout | undefined
    const gaveUp = new Promise<false>((resolve) => { timer = setTimeout(resolve, ms, false) })
    try {
      return await Promise.race([event.then(() => true), gaveUp])
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    socket,
    answered,
    closed,
    received: () => received,
    answeredWithin: async (ms: number) => await within(answered, ms),
    closedWithin: async (ms: number) => await within(closed, ms)
  }
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body` as bytes on a fresh
 * connection, exactly as written (with `Connection: close` unless `keepAlive`): no client
 * library normalises the target. Resolves with the first
 * response as soon as it is complete, whether or not the server read (or got) the whole body.
 */
export async function rawRequest (port: number, head: string, body = '', options: { keepAlive?: boolean } = {}): Promise<RawResponse> {
  const connection = rawConnection(port)
  const failed = new Promise<never>((_resolve, reject) => {
    connection.socket.once('error', (error) => { if (connection.received() === '') reject(error) })
  })
  // keepAlive: the server decides whether the connection stays (its Connection header says so).
  connection.socket.write(`${head}\r\n${options.keepAlive === true ? '' : 'Connection: close\r\n'}\r\n`)
  if (body !== '') connection.socket.write(body)
  try {
    await Promise.race([connection.answered, failed])
    return parseResponse(connection.received())
  } finally {
    connection.socket.destroy()
  }
}
