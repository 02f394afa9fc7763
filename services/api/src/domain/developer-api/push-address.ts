import { USER_ADDRESS_PATTERN } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { SignedApiError } from './errors.js'

/** A `username@carrier` that names a user of an application the developer may address. */
export interface ResolvedAddress {
  applicationId: number
  userId: string
  /** `username@carrier` with the carrier as the application stores it (what callbacks say in `to`). */
  address: string
}

const ADDRESS = new RegExp(USER_ADDRESS_PATTERN, 'u')
const LONE_SURROGATE = /\p{Cs}/u

// A named statement through the pool: every push of the signed API reads it (through Prisma it
// cost several times the CPU). Carrier domains are stored in lower case (normaliseCarrierDomain)
// and an address's carrier is ASCII (USER_ADDRESS_PATTERN): lower-cased here, it is compared
// through the column's unique index, without regard to case as domain names are.
const CARRIER_APPLICATION = {
  name: 'beacon-carrier-application',
  text: 'SELECT id, carrier_domain AS "carrierDomain" FROM application WHERE carrier_domain = $1'
}

/** The application whose carrier domain `carrier` is (whatever its case), if any. */
async function carrierApplication (db: Db, carrier: string): Promise<{ id: number, carrierDomain: string | null } | undefined> {
  const { rows: [application] } = await db.pool.query<{ id: number, carrierDomain: string | null }>({ ...CARRIER_APPLICATION, values: [carrier.toLowerCase()] })
  return application
}

const MAX_ADDRESS_LENGTH = 255 + 1 + 253

// In code points, as the schema's maxLength, the pattern's {1,255} and user ids count them: a
// username of characters outside the BMP is two UTF-16 units each. Whole code points are counted
// only for a text that could be over in units and not over in characters.
const tooLong = (text: string) => text.length > MAX_ADDRESS_LENGTH &&
  (text.length > 2 * MAX_ADDRESS_LENGTH || [...text].length > MAX_ADDRESS_LENGTH)

/** Splits `username@carrier`, or null when it is not exactly that form. */
export function parseUserAddress (text: string): { username: string, carrier: string } | null {
  // A lone surrogate would be stored as U+FFFD, merging distinct addresses into one user.
  if (tooLong(text) || LONE_SURROGATE.test(text)) return null
  const match = ADDRESS.exec(text)
  if (match === null) return null
  return { username: match[1] ?? '', carrier: match[2] ?? '' }
}

/**
 * The application and user an address names, for a developer allowed `applicationIds`: 400 on a
 * malformed address, 403 on a carrier not granted to them — whether or not it exists, so that no
 * developer learns which carriers other tenants have.
 */
export async function resolveAddress (db: Db, applicationIds: number[], text: string): Promise<ResolvedAddress> {
  const parsed = parseUserAddress(text)
  if (parsed === null) {
    throw new SignedApiError(400, 'the address must be username@carrier (a username without @, / or whitespace, and a domain name)')
  }
  // Domain names are case-insensitive.
  const application = await carrierApplication(db, parsed.carrier)
  if (application === undefined || !applicationIds.includes(application.id)) {
    throw new SignedApiError(403, `this developer may not address the carrier ${parsed.carrier}`)
  }
  return {
    applicationId: application.id,
    userId: parsed.username,
    address: `${parsed.username}@${application.carrierDomain ?? parsed.carrier}`
  }
}

/**
 * The `sender` of a developer's message as stored and shown (it becomes the push title): an
 * address on a carrier granted to the developer, so that no developer can write as another
 * carrier's user (`security@yourbank`). 400 otherwise, without saying which carriers exist.
 */
export async function resolveSender (db: Db, applicationIds: number[], text: string): Promise<string> {
  const refused = () => new SignedApiError(400, 'sender must be username@carrier on a carrier this developer may address')
  const parsed = parseUserAddress(text)
  if (parsed === null) throw refused()
  const application = await carrierApplication(db, parsed.carrier)
  if (application === undefined || !applicationIds.includes(application.id)) throw refused()
  return `${parsed.username}@${application.carrierDomain ?? parsed.carrier}`
}
