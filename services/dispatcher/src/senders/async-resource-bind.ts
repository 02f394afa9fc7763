import { AsyncResource } from 'node:async_hooks'
import { deprecate } from 'node:util'

/**
 * Node 20 and 22 build every `AsyncResource#bind()` result with its deprecated `asyncResource`
 * property (DEP0172) as a getter and a setter made by `util.deprecate()` on the spot: two closures,
 * two prototype changes and a property definition per call. Node's HTTP/2 client binds one per
 * request (`ClientHttp2Session#request`), so every APNs and FCM request paid it: 6% of the
 * dispatcher's allocations, and 12% of its CPU per campaign notification once gone (README,
 * "Benchmarks"). Node 24 drops the property (nodejs/node#58618).
 *
 * This replaces `bind` with one that behaves the same: the function (named `bound`) runs in the
 * resource's async scope with the caller's `this` (or `thisArg`), keeps `fn.length`, and still has
 * `asyncResource` (warning DEP0172 once when used, as Node does; setting it changes what it reads,
 * not where the function runs, as in Node), its getter and setter shared by all. Anything but a
 * function goes to Node's own `bind`, for its own error. It is installed only where `bind` is
 * still Node's deprecating one: a tracing agent that wrapped it first keeps its wrapper (and the
 * cost), said by the false returned.
 */
export function installSharedAsyncResourceBind (): boolean {
  const current = AsyncResource.prototype.bind
  if (!Function.prototype.toString.call(current).includes('DEP0172')) return false
  nodeBind = current as unknown as AnyBind
  AsyncResource.prototype.bind = sharedBind as unknown as typeof AsyncResource.prototype.bind
  return true
}

/** Whether `bind` is this one now (said in the dispatcher's start line: an agent's wrapper keeps Node's cost). */
export const sharedAsyncResourceBindInstalled = (): boolean => (AsyncResource.prototype.bind as unknown) === sharedBind

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown
type AnyBind = (this: AsyncResource, fn: unknown, thisArg?: unknown) => AnyFunction

let nodeBind: AnyBind | undefined
const apply = Reflect.apply
const warnDeprecated = deprecate(() => {}, 'The asyncResource property on bound functions is deprecated', 'DEP0172')
const resources = new WeakMap<object, AsyncResource>()
const asyncResource: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get (this: object) { warnDeprecated(); return resources.get(this) },
  set (this: object, value: AsyncResource) { warnDeprecated(); resources.set(this, value) }
}

function sharedBind (this: AsyncResource, fn: unknown, thisArg?: unknown): AnyFunction {
  if (typeof fn !== 'function') return (nodeBind as AnyBind).call(this, fn, thisArg)
  const resource = this
  // Spread-free, as Node's own: an Array iterator patched by other code is never called here.
  // Named `bound` as Node's is; the variable is not, or a bundler renames the function to tell them apart.
  const wrapper: AnyFunction = thisArg === undefined
    ? function bound (this: unknown, ...args: unknown[]) {
      args.unshift(fn, this)
      return apply(resource.runInAsyncScope, resource, args)
    }
    : resource.runInAsyncScope.bind(resource, fn as AnyFunction, thisArg) as AnyFunction
  resources.set(wrapper, resource)
  Object.defineProperties(wrapper, {
    length: { configurable: true, enumerable: false, value: (fn as AnyFunction).length, writable: false },
    asyncResource
  })
  return wrapper
}
