/**
 * Inference routing: where a generation runs (here or on a peer) and how it fails over mid-stream.
 * The decision is a pure function (`chooseRoute`); `InferenceRouter` wraps it around the local engines
 * and the `/commons/infer/1.0.0` client.
 */
import {
  InferenceRouter,
  type InferenceRouterComponents,
  type InferenceRouterInit,
} from './inference-router.ts'

export type {
  FailoverEvent,
  InferenceRouterComponents,
  InferenceRouterInit,
  RouteTarget,
} from './inference-router.ts'
export type { Route, RouteCandidate, RouteInput } from './route-decision.ts'

/**
 * Creates the router.
 * @example
 * const router = createInferenceRouter({ localModels, admission, host, directory, log }, { stallTimeoutMs: 5000 })
 */
export function createInferenceRouter(
  components: InferenceRouterComponents,
  init: InferenceRouterInit = {},
): InferenceRouter {
  return new InferenceRouter(
    { ...components, log: components.log.child({ component: 'inference-router' }) },
    init,
  )
}
