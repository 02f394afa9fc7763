import { IsDateTime } from 'typebox/format'

/**
 * What a `format: 'date-time'` string is, wherever a schema of ours is checked: RFC 3339 as
 * TypeBox's compiled checks read it (the services' messages are checked with those), and a time
 * JavaScript's Date can hold. Ajv's own format took more (a space for the `T`, `+0100`, `+01`) and
 * a leap second that Date cannot read: the api accepted a `validUntil` that the dispatcher then
 * refused as an invalid command, and the message was never sent, nor ever completed.
 */
export function isDateTime (value: string): boolean {
  return IsDateTime(value) && !Number.isNaN(Date.parse(value))
}
