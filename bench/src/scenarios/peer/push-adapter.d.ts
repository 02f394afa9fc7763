// @parse/push-adapter ships JavaScript only; what the peer uses of it.
declare module '@parse/push-adapter' {
  export interface Installation { deviceType: string, deviceToken: string, appIdentifier?: string, pushType?: string }
  export interface SendResult { transmitted: boolean, device: { deviceToken: string, deviceType: string }, response?: { error?: unknown } }
  export default class ParsePushAdapter {
    constructor (pushConfig: Record<string, unknown>)
    send (body: unknown, installations: Installation[]): Promise<SendResult[]>
  }
}
