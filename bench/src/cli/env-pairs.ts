/** `NAME=VALUE` options (`--api-env`, `--dispatcher-env`) as an environment; a pair without `=` is refused. */
export const envFromPairs = (pairs: string[]): Record<string, string> => Object.fromEntries(pairs.map((pair) => {
  const at = pair.indexOf('=')
  if (at < 1) throw new Error(`expected NAME=VALUE, got ${JSON.stringify(pair)}`)
  return [pair.slice(0, at), pair.slice(at + 1)]
}))
