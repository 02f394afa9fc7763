import { Type, type TSchema } from 'typebox'

/** PowerAuth's request wrapper: `{"requestObject": …}`. */
export const RequestEnvelope = <T extends TSchema>(inner: T) =>
  Type.Object({ requestObject: inner })

/** `{"status": "OK"}`, the answer of every call that returns nothing. */
export const OkResponse = Type.Object({ status: Type.Literal('OK') })

/** `{"status": "OK", "responseObject": …}`. */
export const OkObjectResponse = <T extends TSchema>(inner: T) =>
  Type.Object({ status: Type.Literal('OK'), responseObject: inner })

/** The error body of the PowerAuth API, for every 4xx and 5xx. */
export const ErrorResponse = Type.Object({
  status: Type.Literal('ERROR'),
  responseObject: Type.Object({
    code: Type.String(),
    message: Type.String()
  })
})
