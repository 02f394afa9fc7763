import { request, type Agent } from 'node:https'
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls'

export interface HttpsAnswer {
  status: number
  body: string
  /** SHA-256 fingerprint of the certificate the server presented on the connection that carried it. */
  fingerprint256: string
  /** True when the request went over a kept-alive connection of `agent`. */
  reusedSocket: boolean
}

export interface HttpsRequestOptions {
  /** PEM of the CA to trust (fetch cannot be given one without an extra dependency). */
  ca?: string
  /** A keep-alive agent, to send several requests over one connection. */
  agent?: Agent
  method?: string
  headers?: Record<string, string>
  body?: string
}

/** One HTTPS request that also tells which certificate the server presented. */
export function httpsRequest (url: string, options: HttpsRequestOptions = {}): Promise<HttpsAnswer> {
  const { ca, agent, method = 'GET', headers = {}, body } = options
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers, ...(ca === undefined ? {} : { ca }), ...(agent === undefined ? {} : { agent }) }, (response) => {
      const fingerprint256 = (response.socket as TLSSocket).getPeerCertificate().fingerprint256
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { text += chunk })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text, fingerprint256, reusedSocket: outgoing.reusedSocket }))
      response.on('error', reject)
    })
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

/** The certificate a new TLS connection to host:port is given (verified against `ca`). */
export function serverCertificate (host: string, port: number, ca: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ca }, () => {
      const certificate = socket.getPeerCertificate()
      socket.end()
      resolve(certificate)
    })
    socket.on('error', reject)
  })
}
