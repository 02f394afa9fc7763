import { Type, type Static, type TSchema } from 'typebox'

/** PowerAuth's request wrapper: `{"requestObject": …}`. */
export const RequestEnvelope = <T extends TSchema>(inner: T) =>
  Type.Object({ requestObject: inner })

/** `{"status": "OK"}`, the answer of every call that returns nothing. */
export const OkResponse = Type.Object({ status: Type.Literal('OK') })

/** `{"status": "OK", "responseObject": …}`. */
export const OkObjectResponse = <T extends TSchema>(inner: T) =>
  Type.Object({ status: Type.Literal('OK'), responseObject: inner })

/** A field refused by validation, as PowerAuth 1.5+ lists it: its path, the value given (null if absent), why. */
export const Violation = Type.Object({
  fieldName: Type.String(),
  invalidValue: Type.Unknown(),
  hint: Type.String()
})
export type Violation = Static<typeof Violation>

/** The error body of the PowerAuth API, for every 4xx and 5xx; `violations` only with ERROR_REQUEST on validated endpoints. */
export const ErrorResponse = Type.Object({
  status: Type.Literal('ERROR'),
  responseObject: Type.Object({
    code: Type.String(),
    message: Type.String(),
    violations: Type.Optional(Type.Array(Violation))
  })
})
