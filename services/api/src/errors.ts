import { ApiErrorCode } from '@beacon/contracts'
import { isInputRefusedByDatabase, isPoolFailure, Prisma, sqlStateOf } from '@beacon/db'

/** An error with a place in the API's error body: `{"status":"ERROR","responseObject":{code,message}}`. */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor (
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

/** 400 ERROR_GENERIC: a bad request or a broken business rule. The message names the field or rule. */
export const badRequest = (message: string, options?: { cause?: unknown }) =>
  new ApiError(400, ApiErrorCode.GENERIC, message, options)

/** 400 ERROR_PA_SERVER_COMM (PowerAuth's name): the PowerAuth server failed us. */
export const powerAuthFailure = (message: string, cause?: unknown) =>
  new ApiError(400, ApiErrorCode.POWERAUTH, message, { cause })

/**
 * The database failed — through Prisma, its driver adapter, or a statement sent straight through
 * the pool: a 503 in either API, never the client's fault.
 */
export function isDatabaseFailure (error: unknown): boolean {
  return isPoolFailure(error) ||
    error instanceof Prisma.PrismaClientKnownRequestError ||
    error instanceof Prisma.PrismaClientInitializationError ||
    error instanceof Prisma.PrismaClientRustPanicError ||
    error instanceof Prisma.PrismaClientUnknownRequestError ||
    (error as { name?: string }).name === 'DriverAdapterError'
}

/** The answer when the database refused a value of the request as data it cannot hold (class 22, 54000). */
export const REFUSED_INPUT_MESSAGE = 'a value of the request is not one the database can store (out of range, too long or malformed); check the request\'s values'

/**
 * The database refused a value of the request (see isInputRefusedByDatabase): a 400, logged at
 * warn with what names the place and never the value (the database's message may quote it):
 * the SQLSTATE or Prisma's code, and through the pool the table, column and routine.
 */
export function refusedInput (error: unknown): Record<string, string> | undefined {
  if (!isInputRefusedByDatabase(error)) return undefined
  const where: Record<string, string> = {}
  const state = sqlStateOf(error)
  if (state !== undefined) where.sqlState = state
  if (error instanceof Prisma.PrismaClientKnownRequestError) where.prismaCode = error.code
  const e = error as { table?: unknown, column?: unknown, routine?: unknown }
  for (const key of ['table', 'column', 'routine'] as const) if (typeof e[key] === 'string') where[key] = e[key]
  return where
}

/** Too many failed authentications from one address: 429 in the PowerAuth error body, with Retry-After. */
export class TooManyFailures extends Error {
  override name = 'TooManyFailures'
  readonly statusCode = 429
  constructor (readonly retryAfterSeconds: number) {
    super(`too many failed authentication attempts from this address; retry in ${retryAfterSeconds} s`)
  }
}

/** Stable codes of the ways a certificate/key pair can be unusable. */
export const TlsErrorCode = {
  FILE_UNREADABLE: 'TLS_FILE_UNREADABLE',
  CERT_INVALID: 'TLS_CERT_INVALID',
  KEY_INVALID: 'TLS_KEY_INVALID',
  KEY_MISMATCH: 'TLS_KEY_MISMATCH',
  UNUSABLE: 'TLS_UNUSABLE'
} as const
export type TlsErrorCode = typeof TlsErrorCode[keyof typeof TlsErrorCode]

/** Says which file is wrong and how, never what is in it: messages name paths, not key material. */
export class TlsCredentialsError extends Error {
  override name = 'TlsCredentialsError'
  constructor (readonly code: TlsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
