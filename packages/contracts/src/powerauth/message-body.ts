import { Type, type Static } from 'typebox'

const Text = (maxLength: number, description: string) => Type.String({ maxLength, description })
const LocArgs = Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 32 })

/**
 * The notification content of PowerAuth's push message (and campaign message). Providers limit the
 * whole payload to 4096 bytes; the dispatcher checks the built payload, these bounds only stop abuse.
 */
export const MessageBody = Type.Object({
  title: Type.Optional(Text(1024, 'notification title')),
  titleLocKey: Type.Optional(Text(256, 'localisation key of the title')),
  titleLocArgs: Type.Optional(LocArgs),
  body: Type.Optional(Text(4096, 'notification text')),
  bodyLocKey: Type.Optional(Text(256, 'localisation key of the text')),
  bodyLocArgs: Type.Optional(LocArgs),
  badge: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, description: 'badge number' })),
  sound: Type.Optional(Text(256, 'sound name')),
  icon: Type.Optional(Text(256, 'Android icon name')),
  category: Type.Optional(Text(256, 'APNs category / Android tag')),
  collapseKey: Type.Optional(Text(256, 'collapse key')),
  // PowerAuth clients send a Java Instant or Date as a number; the PowerAuth API turns such a number
  // into this string before validating (services/api jackson-input), so it is a string from here on.
  validUntil: Type.Optional(Type.String({
    format: 'date-time',
    description: 'an ISO 8601 date-time, or a number: epoch seconds (a fraction allowed) below 100000000000, epoch milliseconds from there'
  })),
  extras: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'custom data, an object' }))
})
export type MessageBody = Static<typeof MessageBody>
