/** The ids seen recently: JetStream's duplicate window, in process, bounded in memory. */
export class RecentIds {
  private readonly ids = new Set<string>()
  constructor (private readonly limit = 200_000) {}

  /** False if the id was already seen. */
  add (id: string): boolean {
    if (this.ids.has(id)) return false
    this.ids.add(id)
    if (this.ids.size > this.limit) this.ids.delete(this.ids.values().next().value as string)
    return true
  }
}
