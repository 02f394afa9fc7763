import { Type } from 'typebox'
import { OkObjectResponse } from '../http/envelope.js'

export const ServiceStatusResponse = OkObjectResponse(Type.Object({
  applicationName: Type.String(),
  applicationDisplayName: Type.String(),
  applicationEnvironment: Type.String(),
  version: Type.String(),
  buildTime: Type.String(),
  timestamp: Type.String()
}))
