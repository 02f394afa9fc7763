import t from 'tap'
import { createDeadline } from '../../../src/delivery/commands/deadline.js'

const turn = () => new Promise((resolve) => setImmediate(resolve))

t.test('the deadline: passed once reached, its promise resolved, its listeners told once; one let go is not told', async (t) => {
  const deadline = createDeadline()
  const told: string[] = []
  let resolved = false
  deadline.reached.then(() => { resolved = true }, () => {})
  deadline.onReached(() => told.push('kept'))
  const letGo = deadline.onReached(() => told.push('let go'))
  letGo()
  await turn()
  t.same([deadline.passed, resolved, told], [false, false, []], 'nothing before it is reached')

  deadline.reach()
  await turn()
  t.same([deadline.passed, resolved, told], [true, true, ['kept']], 'reached: passed, resolved, the listener still listening told')
  deadline.reach()
  t.same(told, ['kept'], 'reached again: nobody told twice')
})

t.test('a listener added after the deadline passed is told at once', async (t) => {
  const deadline = createDeadline()
  deadline.reach()
  let told = 0
  const stop = deadline.onReached(() => { told++ })
  t.equal(told, 1, 'at once, not at a deadline that will not come again')
  stop()
  t.equal(told, 1)
})
