import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks'
import t from 'tap'
import { installSharedAsyncResourceBind } from '../../src/senders/async-resource-bind.js'

const nodeBind = AsyncResource.prototype.bind as unknown as Bind
const store = new AsyncLocalStorage<string>()

type Bind = (this: AsyncResource, fn: (...args: never[]) => unknown, thisArg?: unknown) => (this: unknown, a: number, b: number) => unknown

/** What a bound function sees when called outside the context it was bound in. */
function observe (bind: Bind, thisArg?: unknown) {
  let resource!: AsyncResource
  let bound!: (this: unknown, a: number, b: number) => unknown
  store.run('bound here', () => {
    resource = new AsyncResource('Test')
    bound = bind.call(resource, function (this: unknown, a: number, b: number) {
      return { store: store.getStore(), asyncId: executionAsyncId(), self: this, sum: a + b }
    }, thisArg)
  })
  const receiver = { name: 'receiver' }
  const seen = store.run('called here', () => bound.call(receiver, 2, 3)) as { store: string, asyncId: number, self: unknown, sum: number }
  return { resource, bound, receiver, seen }
}

t.test("Node's own bind still builds a deprecated getter and setter per call (else this shim can go)", async (t) => {
  t.match(Function.prototype.toString.call(nodeBind), /DEP0172/)
})

t.test('installed once, where Node\'s bind is the deprecating one', async (t) => {
  t.equal(installSharedAsyncResourceBind(), true)
  t.not(AsyncResource.prototype.bind as unknown, nodeBind)
  t.equal(installSharedAsyncResourceBind(), false, 'a second call changes nothing')
})

t.test('a bound function behaves as with Node\'s bind: async scope, this, thisArg, length, asyncResource', async (t) => {
  const warnings: Error[] = []
  const onWarning = (warning: Error) => { warnings.push(warning) }
  process.on('warning', onWarning)
  t.teardown(() => { process.off('warning', onWarning) })

  const ours = observe(AsyncResource.prototype.bind as unknown as Bind)
  t.equal(ours.seen.store, 'bound here', 'runs in the context it was bound in')
  t.equal(ours.seen.asyncId, ours.resource.asyncId(), 'inside the resource\'s scope')
  t.equal(ours.seen.self, ours.receiver, 'the caller\'s this')
  t.equal(ours.seen.sum, 5)
  t.equal(ours.bound.length, 2)
  t.equal((ours.bound as unknown as { asyncResource: AsyncResource }).asyncResource, ours.resource)
  await new Promise((resolve) => setImmediate(resolve))
  t.match(warnings, [{ name: 'DeprecationWarning', code: 'DEP0172' }], 'the deprecated property still warns')

  const fixed = { name: 'fixed' }
  t.equal(observe(AsyncResource.prototype.bind as unknown as Bind, fixed).seen.self, fixed, 'thisArg wins')

  // The same observations through Node's own bind.
  const node = observe(nodeBind)
  t.same({ ...ours.seen, asyncId: 0 }, { ...node.seen, asyncId: 0, self: ours.receiver })
  t.equal(node.seen.self, node.receiver)
  t.equal(observe(nodeBind, fixed).seen.self, fixed)
  t.throws(() => AsyncResource.prototype.bind.call(new AsyncResource('Test'), 42 as never), TypeError)
})
