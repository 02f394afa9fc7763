import pg from 'pg'
import { Prisma } from './generated/client.js'

/**
 * Prisma's codes for a value its column cannot hold: too long (P2000), not of the column's type
 * (P2007), out of its range (P2020), beyond 64 bits (P2033).
 */
const PRISMA_INPUT_CODES = new Set(['P2000', 'P2007', 'P2020', 'P2033'])

/**
 * The SQLSTATEs of a value refused as data, as a request's value meets them: too long (22001), out
 * of range (22003), not of its type (22P02), a date or time that is not one (22007, 22008), a
 * character the encoding lacks (22021, 22P05), an index row too large for its value (54000). Not
 * the rest of class 22, which is ours when it happens: a division by zero in our SQL (22012), a
 * sequence at its end (2200H), a bad regular expression of ours (2201B).
 */
const INPUT_SQLSTATES = new Set(['22001', '22003', '22P02', '22007', '22008', '22021', '22P05', '54000'])

/** The SQLSTATE of a statement PostgreSQL refused, through the pool or Prisma's driver adapter. */
export function sqlStateOf (error: unknown): string | undefined {
  if (error instanceof pg.DatabaseError) return error.code
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const cause = (error.meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)?.cause
    return typeof cause?.originalCode === 'string' ? cause.originalCode : undefined
  }
  return undefined
}

/**
 * The database refused a value as data it cannot take rather than failing: such a value came from
 * a request, the client's to change (a 400), not a reason to retry later (a 503). The routes'
 * schemas are meant to refuse every such value first; this is the answer for one they miss.
 */
export function isInputRefusedByDatabase (error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError && PRISMA_INPUT_CODES.has(error.code)) return true
  const state = sqlStateOf(error)
  return state !== undefined && INPUT_SQLSTATES.has(state)
}
