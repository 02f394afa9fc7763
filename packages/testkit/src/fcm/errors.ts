/** An HTTP answer of the mock: status, JSON body, extra headers. */
export interface FcmHttpAnswer { status: number, body: unknown, headers?: Record<string, string> }

/** The `FcmError` detail firebase-admin maps to its `messaging/*` codes. */
export const fcmErrorDetail = (errorCode: string) => ({ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode })

export const badRequestDetail = (field: string, description: string) => ({
  '@type': 'type.googleapis.com/google.rpc.BadRequest',
  fieldViolations: [{ field, description }]
})

const errorInfoDetail = (reason: string) => ({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com' })

/** Google's error envelope: `{"error": {code, message, status, details}}`. */
export function googleError (code: number, status: string, message: string, details: unknown[] = [], headers?: Record<string, string>): FcmHttpAnswer {
  return { status: code, body: { error: { code, message, status, details } }, ...(headers === undefined ? {} : { headers }) }
}

/** 400 INVALID_ARGUMENT naming the offending field, as the v1 API reports message problems. */
export const invalidArgument = (field: string, description: string, message = description) =>
  googleError(400, 'INVALID_ARGUMENT', message, [fcmErrorDetail('INVALID_ARGUMENT'), badRequestDetail(field, description)])

export const unauthenticated = () => googleError(
  401, 'UNAUTHENTICATED',
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  [errorInfoDetail('ACCESS_TOKEN_TYPE_UNSUPPORTED')],
  { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' }
)

export const insufficientScopes = () => googleError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [errorInfoDetail('ACCESS_TOKEN_SCOPE_INSUFFICIENT')])

export const projectDenied = (projectId: string) => googleError(
  403, 'PERMISSION_DENIED',
  `Permission 'cloudmessaging.messages.create' denied on resource '//cloudmessaging.googleapis.com/projects/${projectId}' (or it may not exist).`,
  [errorInfoDetail('IAM_PERMISSION_DENIED')]
)

export const notFound = () => googleError(404, 'NOT_FOUND', 'The requested URL was not found on this server.')
