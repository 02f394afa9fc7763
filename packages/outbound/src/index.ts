export { DestinationForbiddenError, OutboundErrorCode } from './errors.js'
export {
  allowsAddress, classifyAddress, isIpLiteral, unbracket,
  type AddressCategory, type AddressClass, type DestinationPolicy
} from './address-policy.js'
export { guardedLookup, literalRefusal, type GuardOptions, type Resolver } from './guarded-lookup.js'
export { createGuardedDispatcher, type GuardedDispatcherOptions } from './guarded-dispatcher.js'
export { createGuardedHttpAgent, createGuardedHttpsAgent } from './guarded-agents.js'
export { GOOGLE_TOKEN_URIS, URL_LIST_RULE, isListedUrl, normaliseHttpUrl, parseUrlList } from './url-allowlist.js'
