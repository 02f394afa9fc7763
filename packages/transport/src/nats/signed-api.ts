import { callbackMessageId, type CallbackCommand, type InAppBroadcast, type NatsNames } from '@beacon/contracts'
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { callbackCodec, inAppBroadcastCodec } from '../codec.js'
import { TransportError, TransportErrorCode } from '../errors.js'
import type { CallbackDelivery, Stoppable, Transport } from '../transport.js'
import { consumeSlots } from './consume-slots.js'

type SignedApiTransport = Pick<Transport, 'publishCallback' | 'consumeCallbacks' | 'publishInApp' | 'subscribeInApp'>

interface Context {
  nc: NatsConnection
  js: JetStreamClient
  names: NatsNames
  publish: (subject: string, data: Uint8Array, msgID: string) => Promise<void>
  decodeOrTerminate: <T>(message: JsMsg, decode: (data: Uint8Array) => T) => T | undefined
  /** Every consumer and subscription, stopped when the transport closes. */
  track: (stoppable: Stoppable) => Stoppable
  onError: (error: unknown) => void
}

/**
 * The signed developer API's traffic: callbacks to developers on a durable work queue, and in-app
 * messages fanned out to every api instance on plain NATS (the database is their durable store).
 */
export function signedApiTransport ({ nc, js, names, publish, decodeOrTerminate, track, onError }: Context): SignedApiTransport {
  return {
    publishCallback: (callback: CallbackCommand) =>
      publish(names.callbackSubject, callbackCodec.encode(callback), callbackMessageId(callback)),

    consumeCallbacks (handler, { concurrency }) {
      let stopper: Stoppable | undefined
      const started = js.consumers.get(names.callbackStream, names.callbackConsumer).then((consumer) => {
        stopper = consumeSlots(consumer, { concurrency }, async (message) => {
          const callback = decodeOrTerminate(message, callbackCodec.decode)
          if (callback === undefined) return
          const delivery: CallbackDelivery = {
            callback,
            deliveryCount: message.info.deliveryCount,
            working: () => message.working(),
            ack: async () => { await message.ackAck() },
            retry: (delayMs) => message.nak(delayMs),
            drop: async () => { message.term() }
          }
          await handler(delivery)
        }, onError)
      })
      return track({ stop: async () => { await started; await stopper?.stop() } })
    },

    async publishInApp (event: InAppBroadcast) {
      try {
        nc.publish(names.inAppSubject, inAppBroadcastCodec.encode(event))
      } catch (cause) {
        throw new TransportError(TransportErrorCode.PUBLISH_FAILED, `publish to ${names.inAppSubject} failed`, { cause })
      }
    },

    subscribeInApp (handler) {
      const subscription = nc.subscribe(names.inAppSubject, {
        callback: (error, message) => {
          if (error !== null) { onError(error); return }
          try { handler(inAppBroadcastCodec.decode(message.data)) } catch (failure) { onError(failure) }
        }
      })
      return track({ stop: async () => { subscription.unsubscribe() } })
    }
  }
}
