export { SigningError, SigningErrorCode } from './errors.js'
export { stringToSign, sign, signatureDigest, type SignatureParts } from './string-to-sign.js'
export { contentMd5 } from './content-md5.js'
export { httpDate, parseHttpDate } from './http-date.js'
export { newNonce } from './nonce.js'
export {
  AUTH_SCHEME, MAX_AUTHORIZATION_LENGTH, formatAuthorization, parseAuthorization, type AuthorizationParams
} from './authorization.js'
export { singleHeader, type RequestHeaders } from './request-headers.js'
export {
  DEFAULT_WINDOW_SECONDS, verifyRequest, verifyRequestBody, verifyRequestHead,
  type IncomingSignedHead, type IncomingSignedRequest, type SecretLookup, type VerifiedHead, type VerifiedRequest, type VerifyOptions
} from './verify-request.js'
export { signRequest, type SignRequestInput, type SignedHeaders } from './sign-request.js'
export { createSignedClient, type SignedClient, type SignedClientOptions } from './signed-client.js'
