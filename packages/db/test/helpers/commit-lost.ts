import pg from 'pg'

/**
 * Makes every pg client of this process lose the answer to its COMMIT (the server committed) and
 * the database unreachable from then on: new connections are refused. Returns the undo.
 */
export function loseCommitThenRefuseConnections (): () => void {
  const query = pg.Client.prototype.query
  const connect = pg.Client.prototype.connect
  let unreachable = false
  pg.Client.prototype.query = async function (this: pg.Client, ...args: unknown[]) {
    const result = await (query as (...a: unknown[]) => Promise<unknown>).apply(this, args)
    if (args[0] === 'COMMIT') {
      unreachable = true
      throw new Error('Connection terminated unexpectedly')
    }
    return result
  } as typeof query
  pg.Client.prototype.connect = async function (this: pg.Client) {
    if (unreachable) throw new Error('connect ECONNREFUSED')
    return await (connect as () => Promise<unknown>).apply(this)
  } as unknown as typeof connect
  return () => {
    pg.Client.prototype.query = query
    pg.Client.prototype.connect = connect
  }
}
