import pg from 'pg'
import { Prisma } from './generated/client.js'

/**
 * Prisma's codes for a value its column cannot hold: too long (P2000), not of the column's type
 * (P2007), out of its range (P2020), beyond 64 bits (P2033).
 */
const PRISMA_INPUT_CODES = new Set(['P2000', 'P2007', 'P2020', 'P2033'])

/** The SQLSTATE of a statement PostgreSQL refused, through the pool or Prisma's driver adapter. */
function sqlStateOf (error: unknown): string | undefined {
  if (error instanceof pg.DatabaseError) return error.code
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const cause = (error.meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)?.cause
    return typeof cause?.originalCode === 'string' ? cause.originalCode : undefined
  }
  return undefined
}

/**
 * The database refused a value as data it cannot take — class 22 (data exception: out of range,
 * too long, malformed, a NUL byte), or 54000 (an index row too large for its value) — rather than
 * failing. Such a value came from a request: the client's to change (a 400), not a reason to
 * retry later (a 503). The routes' schemas are meant to refuse every such value first; this is
 * the answer for one they miss.
 */
export function isInputRefusedByDatabase (error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError && PRISMA_INPUT_CODES.has(error.code)) return true
  const state = sqlStateOf(error)
  return state !== undefined && (state.startsWith('22') || state === '54000')
}
