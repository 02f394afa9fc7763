/** `2019-01-22T15:00:28.399+0000`: Java's `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in UTC, as PowerAuth prints it. */
export function javaTimestamp (date: Date): string {
  return date.toISOString().replace('Z', '+0000')
}
