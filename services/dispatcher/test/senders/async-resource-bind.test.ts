import { AsyncLocalStorage, AsyncResource, executionAsyncId, triggerAsyncId } from 'node:async_hooks'
import t from 'tap'
import { installSharedAsyncResourceBind, sharedAsyncResourceBindInstalled } from '../../src/senders/async-resource-bind.js'

type Bound = ((this: unknown, a: number, b: number) => unknown) & { asyncResource?: AsyncResource }
type Bind = (this: AsyncResource, fn: unknown, thisArg?: unknown) => Bound

const nodeBind = AsyncResource.prototype.bind as unknown as Bind
const deprecating = Function.prototype.toString.call(nodeBind).includes('DEP0172')
const store = new AsyncLocalStorage<string>()

/** What a bound function sees when called outside the context it was bound in. */
function observe (bind: Bind, thisArg?: unknown) {
  let resource!: AsyncResource
  let bound!: Bound
  store.run('bound here', () => {
    resource = new AsyncResource('Test')
    bound = bind.call(resource, function (this: unknown, a: number, b: number) {
      return { store: store.getStore(), asyncId: executionAsyncId(), triggerId: triggerAsyncId(), self: this, sum: a + b }
    }, thisArg)
  })
  const receiver = { name: 'receiver' }
  const seen = store.run('called here', () => bound.call(receiver, 2, 3)) as { store: string, asyncId: number, triggerId: number, self: unknown, sum: number }
  return { resource, bound, receiver, seen }
}

/** The observations that do not depend on which resource it was: comparable between two binds. */
const shape = (o: ReturnType<typeof observe>) => ({
  store: o.seen.store,
  inScope: o.seen.asyncId === o.resource.asyncId(),
  triggeredBy: o.seen.triggerId === o.resource.triggerAsyncId(),
  callerThis: o.seen.self === o.receiver,
  sum: o.seen.sum,
  name: o.bound.name,
  length: o.bound.length,
  keys: Reflect.ownKeys(o.bound),
  descriptors: Object.fromEntries(['length', 'asyncResource'].map((key) => {
    const { configurable, enumerable, writable } = Object.getOwnPropertyDescriptor(o.bound, key) ?? {}
    return [key, { configurable, enumerable, writable }]
  }))
})

t.test('installed if and only if Node\'s bind builds a deprecated getter and setter per call; a wrapper installed first is kept', async (t) => {
  const wrapper = function bind (this: AsyncResource, fn: unknown, thisArg?: unknown) { return nodeBind.call(this, fn, thisArg) }
  AsyncResource.prototype.bind = wrapper as unknown as typeof AsyncResource.prototype.bind
  t.equal(installSharedAsyncResourceBind(), false, "a tracing agent's wrapper is not replaced")
  t.equal(AsyncResource.prototype.bind as unknown, wrapper)
  t.equal(sharedAsyncResourceBindInstalled(), false, 'and the start line says so')
  AsyncResource.prototype.bind = nodeBind as unknown as typeof AsyncResource.prototype.bind

  t.equal(installSharedAsyncResourceBind(), deprecating, `Node ${process.version}: ${deprecating ? 'replaced' : 'nothing to replace (the shim can go)'}`)
  t.equal(installSharedAsyncResourceBind(), false, 'a second call changes nothing')
  t.equal(sharedAsyncResourceBindInstalled(), deprecating)
})

t.test("a bound function behaves as with Node's bind: async scope, this, thisArg, name, length, properties", async (t) => {
  const ours = AsyncResource.prototype.bind as unknown as Bind
  t.same(shape(observe(ours)), shape(observe(nodeBind)))
  t.same(shape(observe(ours, { fixed: true })), shape(observe(nodeBind, { fixed: true })))
  const seen = observe(ours)
  t.same({ store: seen.seen.store, inScope: seen.seen.asyncId === seen.resource.asyncId(), callerThis: seen.seen.self === seen.receiver }, { store: 'bound here', inScope: true, callerThis: true })
  const fixed = { name: 'fixed' }
  t.equal(observe(ours, fixed).seen.self, fixed, 'thisArg wins')

  // Anything but a function: Node's own error.
  const refusal = (bind: Bind) => { try { bind.call(new AsyncResource('Test'), 42); return undefined } catch (error) { return (error as { code?: string }).code } }
  t.equal(refusal(ours), refusal(nodeBind))
  t.equal(refusal(ours), 'ERR_INVALID_ARG_TYPE')
})

t.test('asyncResource: reads the resource, warns DEP0172 once, and setting it does not move where the function runs', async (t) => {
  const warnings: Error[] = []
  const onWarning = (warning: Error) => { warnings.push(warning) }
  process.on('warning', onWarning)
  t.teardown(() => { process.off('warning', onWarning) })

  const { bound, resource } = observe(AsyncResource.prototype.bind as unknown as Bind)
  t.equal(bound.asyncResource, resource)
  t.equal(bound.asyncResource, resource)
  const other = new AsyncResource('Other')
  bound.asyncResource = other
  t.equal(bound.asyncResource, other, 'what it reads changes')
  const seen = bound(1, 1) as { asyncId: number }
  t.equal(seen.asyncId, resource.asyncId(), 'where it runs does not (as in Node)')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(warnings.filter((warning) => (warning as { code?: string }).code === 'DEP0172').length, 1, 'one warning for four uses')
})
