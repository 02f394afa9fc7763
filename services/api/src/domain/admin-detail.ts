import type { Static } from 'typebox'
import type { ApplicationDetailResponse } from '@beacon/contracts'
import type { Application } from '@beacon/db'
import { toSummary } from './admin-applications.js'

export type ApplicationDetail = Static<typeof ApplicationDetailResponse>['responseObject']

export interface DetailIncludes {
  includeIos?: boolean | undefined
  includeAndroid?: boolean | undefined
}

/** PowerAuth's names: the stored SANDBOX is its `development`. */
function environmentName (environment: Application['apnsEnvironment']): string | null {
  if (environment === null) return null
  return environment === 'PRODUCTION' ? 'production' : 'development'
}

/** The detail answer: public provider settings only, each provider only when asked for. */
export function toDetail (application: Application, { includeIos, includeAndroid }: DetailIncludes): ApplicationDetail {
  return {
    application: toSummary(application),
    ...(includeIos === true
      ? {
          iosBundle: application.apnsBundle,
          iosKeyId: application.apnsKeyId,
          iosTeamId: application.apnsTeamId,
          iosEnvironment: environmentName(application.apnsEnvironment)
        }
      : {}),
    ...(includeAndroid === true ? { androidProjectId: application.fcmProjectId } : {})
  }
}
