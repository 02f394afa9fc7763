import { AsyncResource } from 'node:async_hooks'
import { deprecate } from 'node:util'

/**
 * Node 20 and 22 build every `AsyncResource#bind()` result with its deprecated `asyncResource`
 * property (DEP0172) as a getter and a setter made by `util.deprecate()` on the spot: two closures,
 * two prototype changes and a property definition per call. Node's HTTP/2 client binds one per
 * request (`ClientHttp2Session#request`), so every APNs and FCM request paid it: 6% of the
 * dispatcher's allocations, and 13-24% of its CPU per campaign notification once gone (README,
 * "Benchmarks"). Node 24 drops the property (nodejs/node#58618).
 *
 * This replaces `bind` with one that behaves the same: the function runs in the resource's async
 * scope with the caller's `this` (or `thisArg`), keeps `fn.length`, and still has `asyncResource`
 * (warning DEP0172 once when used, as Node does), its getter and setter shared by all. It is
 * installed only where `bind` is Node's deprecating one, once per process.
 */
export function installSharedAsyncResourceBind (): boolean {
  const current = AsyncResource.prototype.bind
  if (current === sharedBind || !Function.prototype.toString.call(current).includes('DEP0172')) return false
  AsyncResource.prototype.bind = sharedBind as unknown as typeof AsyncResource.prototype.bind
  return true
}

const warnDeprecated = deprecate(() => {}, 'The asyncResource property on bound functions is deprecated', 'DEP0172')
const resources = new WeakMap<object, AsyncResource>()
const asyncResource: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get (this: object) { warnDeprecated(); return resources.get(this) },
  set (this: object, value: AsyncResource) { warnDeprecated(); resources.set(this, value) }
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown

function sharedBind (this: AsyncResource, fn: AnyFunction, thisArg?: unknown): AnyFunction {
  if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function')
  const resource = this
  const bound: AnyFunction = thisArg === undefined
    ? function (this: unknown, ...args: unknown[]) { return resource.runInAsyncScope(fn, this, ...args) }
    : resource.runInAsyncScope.bind(resource, fn, thisArg) as AnyFunction
  resources.set(bound, resource)
  Object.defineProperties(bound, {
    length: { configurable: true, enumerable: false, value: fn.length, writable: false },
    asyncResource
  })
  return bound
}
