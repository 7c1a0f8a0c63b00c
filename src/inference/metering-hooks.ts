import type { RouteTarget } from './router/inference-router.ts'
import type { InferenceTask } from './serving/inference-task.ts'

/**
 * The gateway's meter for generations of paid models (implemented by the metering domain): the router
 * reports each attempt on a node, and what that node delivered, so the consumer pays for exactly what
 * reached it.
 */
export interface GenerationMeter {
  /**
   * Before an attempt: undefined when the request is not metered (a free model, or no consumer).
   * `peer`: the serving node's PeerId; undefined when served by this node.
   */
  begin(a: {
    target: RouteTarget
    consumer: `0x${string}`
    peer: string | undefined
    task: InferenceTask
    generatedBefore: number
  }): Promise<MeteredAttempt | undefined>
}

/** One metered attempt: its request id (sent to the serving node) and its end. */
export interface MeteredAttempt {
  requestId: `0x${string}`
  /** What this attempt delivered; `receipt` is the serving node's signed receipt (unchecked here). */
  end(r: { completionTokens: number; promptTokens?: number; receipt?: unknown }): void
}

/** The serving node's meter: signs a receipt for a paid request it served (undefined when free). */
export interface ServedMeter {
  served(s: {
    gateway: string
    consumer: `0x${string}`
    modelId: string
    requestId: `0x${string}`
    contentRoot: string
    promptTokens: number
    completionTokens: number
  }): Promise<unknown | undefined>
}
