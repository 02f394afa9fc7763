import type { ProviderPlatform } from '@beacon/contracts'
import type { PlatformSender, SendOutcome } from '../../src/senders/sender.js'

/**
 * What the scripted provider answers one request: an outcome at once, `hang` (never answered), or
 * a gate the test opens with the outcome it chooses, or the send itself throwing (a client bug).
 */
export type ScriptedAnswer = SendOutcome | 'hang' | { gate: Promise<SendOutcome> } | { throws: string }

/** One request as the provider received it: which holder (dispatcher) sent it, to which token. */
export interface Receipt { holder: string, token: string }

/**
 * A provider both platforms share, scripted per token as the test decides (each request takes the
 * next answer, the last stays; unscripted tokens succeed), and the senders of each holder. A
 * holder's senders can be killed: from then on they send nothing (a dead process), and any
 * request they still try is kept apart, for the test to assert there is none.
 */
export function createScriptedProvider () {
  const scripts = new Map<string, { answers: ScriptedAnswer[], next: number }>()
  const receipts: Receipt[] = []
  const afterDeath: Receipt[] = []
  /** Platforms whose sends cannot be prepared (as a payload over the limit), with the reason. */
  const refused: Partial<Record<ProviderPlatform, string>> = {}

  const answer = (token: string): ScriptedAnswer => {
    const script = scripts.get(token)
    if (script === undefined) return { kind: 'sent' }
    const next = script.answers[Math.min(script.next, script.answers.length - 1)]!
    script.next++
    return next
  }

  return {
    receipts,
    afterDeath,
    refused,
    script (token: string, answers: ScriptedAnswer | ScriptedAnswer[]) {
      scripts.set(token, { answers: Array.isArray(answers) ? answers : [answers], next: 0 })
    },
    /** Requests received per token. */
    count: (token: string) => receipts.filter((r) => r.token === token).length,
    /** The senders of one holder, and the switch that kills them. */
    sendersOf (holder: string) {
      const life = { dead: false }
      const sender = (platform: ProviderPlatform): PlatformSender => ({
        prepare: () => (refused[platform] !== undefined
          ? { ok: false, reason: refused[platform] }
          : {
              ok: true,
              prepared: {
                send: async (targets) => {
                  if (targets.length !== 1) throw new Error(`${platform}: one device per request, got ${targets.length}`)
                  const { token } = targets[0]!
                  if (life.dead) {
                    afterDeath.push({ holder, token })
                    return new Promise<SendOutcome[]>(() => {})
                  }
                  receipts.push({ holder, token })
                  const scripted = answer(token)
                  if (scripted === 'hang') return new Promise<SendOutcome[]>(() => {})
                  if ('throws' in scripted) throw new Error(scripted.throws)
                  return ['gate' in scripted ? await scripted.gate : scripted]
                }
              }
            }),
        close: async () => {}
      })
      return { senders: { APNS: sender('APNS'), FCM: sender('FCM') }, kill: () => { life.dead = true } }
    }
  }
}
export type ScriptedProvider = ReturnType<typeof createScriptedProvider>

/** A gate for a scripted answer: the request waits until the test opens it. */
export function gate () {
  let open: (outcome: SendOutcome) => void = () => {}
  const promise = new Promise<SendOutcome>((resolve) => { open = resolve })
  return { answer: { gate: promise } as ScriptedAnswer, open }
}
