import type { Static } from 'typebox'
import type { ApplicationDetailResponse } from '@beacon/contracts'
import type { Application } from '@beacon/db'
import { toSummary } from './applications.js'

export type ApplicationDetail = Static<typeof ApplicationDetailResponse>['responseObject']

export interface DetailIncludes {
  includeIos?: boolean | undefined
  includeAndroid?: boolean | undefined
  includeApns?: boolean | undefined
  includeFcm?: boolean | undefined
}

/** PowerAuth's names: the stored SANDBOX is its `development`. */
function environmentName (environment: Application['apnsEnvironment']): string | null {
  if (environment === null) return null
  return environment === 'PRODUCTION' ? 'production' : 'development'
}

/**
 * The detail answer: public provider settings only, each provider only when asked for, under the
 * names it was asked by (`includeIos` → ios*, `includeApns` → apns*, `includeAndroid` →
 * androidProjectId, `includeFcm` → fcmProjectId), as each PowerAuth version reads them.
 */
export function toDetail (application: Application, includes: DetailIncludes): ApplicationDetail {
  const apns = (prefix: 'ios' | 'apns') => ({
    [`${prefix}Bundle`]: application.apnsBundle,
    [`${prefix}KeyId`]: application.apnsKeyId,
    [`${prefix}TeamId`]: application.apnsTeamId,
    [`${prefix}Environment`]: environmentName(application.apnsEnvironment)
  })
  return {
    application: toSummary(application),
    ...(includes.includeIos === true ? apns('ios') : {}),
    ...(includes.includeApns === true ? apns('apns') : {}),
    ...(includes.includeAndroid === true ? { androidProjectId: application.fcmProjectId } : {}),
    ...(includes.includeFcm === true ? { fcmProjectId: application.fcmProjectId } : {})
  }
}
