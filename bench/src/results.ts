import { existsSync } from 'node:fs'
import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'results')

export interface CampaignResult {
  scenario: string
  date: string
  cores: number
  users: number
  dispatchers: number
  seconds: number
  notificationsPerSecond: number
  peakRssMb: Record<string, number>
}

/** Writes the run as JSON and appends a row to results/campaign.md; returns the JSON file. */
export async function writeResults (result: CampaignResult): Promise<string> {
  await mkdir(folder, { recursive: true })
  const file = join(folder, `campaign-${result.date.replace(/[:.]/g, '-')}.json`)
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`)
  const table = join(folder, 'campaign.md')
  const peaks = Object.entries(result.peakRssMb).map(([name, mb]) => `${name} ${mb} MB`).join(', ')
  const header = '| date | cores | users | dispatchers | seconds | notifications/s | peak RSS |\n| --- | --- | --- | --- | --- | --- | --- |\n'
  const row = `| ${result.date} | ${result.cores} | ${result.users} | ${result.dispatchers} | ${result.seconds} | ${result.notificationsPerSecond} | ${peaks} |\n`
  await appendFile(table, existsSync(table) ? row : header + row)
  return file
}
