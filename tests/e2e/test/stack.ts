import { startPipeline, type Pipeline, type PipelineOptions } from '@beacon/testkit'
import type { Test } from 'tap'

export { androidToken, BUNDLE, iosToken, until } from '@beacon/testkit'
export type Stack = Pipeline

/** The pipeline of @beacon/testkit, closed when the test ends. */
export async function startStack (t: Test, options: PipelineOptions = {}): Promise<Stack> {
  const pipeline = await startPipeline(options)
  t.teardown(() => pipeline.close())
  return pipeline
}
