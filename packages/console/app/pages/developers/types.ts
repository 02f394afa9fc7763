/** A developer as the admin API shows it (packages/contracts: DeveloperView): never its secret. */
export interface Developer {
  id: number
  key: string
  name: string
  callbackUrl: string | null
  enabled: boolean
  applications: Array<{ appId: string | number, carrierDomain: string | null }>
  timestampCreated: string
  timestampSecretRotated: string
}

/** Comma- or newline-separated text as a list, blanks dropped. */
export const listOf = (text: string) => text.split(/[\n,]/).map((item) => item.trim()).filter((item) => item !== '')

/** App ids as the API takes them: a number stays a number (PowerAuth 1.0's numeric ids), text stays text. */
export const appIdsOf = (text: string) => listOf(text).map((id) => /^\d+$/.test(id) ? Number(id) : id)
