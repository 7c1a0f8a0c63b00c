import { Hono } from 'hono'
import { NotFoundError } from '../errors.ts'
import type { Governance } from '../governance/index.ts'
import type { Logger } from '../log.ts'
import { requireTokenForWrites } from './auth.ts'
import { limitBody } from './body-limit.ts'
import { MAX_JSON_BODY_BYTES } from './constants.ts'
import { errorResponse } from './error-response.ts'
import { hostGuard } from './host-guard.ts'
import type { Metrics } from './metrics.ts'
import { accountRoutes } from './routes/accounts.ts'
import { chainRoutes } from './routes/chain.ts'
import { type KeyRouteComponents, keyRoutes } from './routes/keys.ts'
import { modelRoutes } from './routes/models.ts'
import { nodeRoutes } from './routes/nodes.ts'
import { proposalRoutes } from './routes/proposals.ts'
import { shareRoutes } from './routes/shares.ts'
import { signInRoutes, type TermsRelay } from './routes/sign-in.ts'
import type { SignInSessions } from './sign-in/sign-in-sessions.ts'

/** Options of the HTTP API. */
export interface ApiInit {
  /** The bearer token of `/api` writes (`<data>/api-token`). */
  apiToken: string
  /** Host names (besides IP addresses and localhost) this API answers to: a DNS-rebinding defence. */
  allowedHosts?: readonly string[]
}

/** What the HTTP API needs from the node. */
export interface ApiComponents {
  governance: Governance
  log: Logger
  accounts(): Promise<{ name: string; address: string }[]>
  chainInfo(): Promise<Record<string, unknown>>
  warp: (seconds: number) => Promise<bigint>
  health(): Promise<Record<string, unknown>>
  /** Extra `/api` sub-apps (e.g. `/store`): behind the same body limit and write auth as the rest of `/api`. */
  apiRoutes?: { path: string; app: Hono }[]
  /** Request counters and gauges served at `/metrics`. */
  metrics?: Metrics
  /** Sub-apps mounted at the root with their own auth (e.g. `/v1`). */
  mounts?: { path: string; app: Hono }[]
  /** The node's API key store for `/v1`: mounts `/api/keys` (token required, reads included). */
  apiKeys?: KeyRouteComponents['keys']
  /** Sign-In with Ethereum sessions for `/v1` consumers: mounts `/api/auth` (open). */
  sessions?: SignInSessions
  /** Relays consumers' signed acceptances of usage terms (the node pays the gas). */
  terms?: TermsRelay
}

/**
 * Builds the node's Hono app: Commons REST routes under `/api`, health at `/healthz`, `/metrics`, mounts.
 * @example
 * const app = createApi({ apiToken }, { governance, log, accounts, chainInfo, warp, health, mounts: [{ path: '/v1', app: v1 }] })
 */
export function createApi(init: ApiInit, c: ApiComponents): Hono {
  const app = new Hono()
  app.onError((err, ctx) => errorResponse(ctx, err, c.log))
  app.notFound((ctx) =>
    errorResponse(ctx, new NotFoundError(`No route ${ctx.req.method} ${ctx.req.path}.`), c.log),
  )
  app.use(hostGuard({ allowedHosts: init.allowedHosts }))
  if (c.metrics) {
    app.use(c.metrics.middleware)
    app.route('/metrics', c.metrics.routes())
  }
  // 503 with `degraded` naming the parts that are down (the chain): monitors see it, the node goes on.
  app.get('/healthz', async (ctx) => {
    const health = await c.health()
    const degraded = Array.isArray(health.degraded) && health.degraded.length > 0
    return ctx.json({ status: degraded ? 'degraded' : 'ok', ...health }, degraded ? 503 : 200)
  })

  // Sign-in is for consumers, who hold no API token: before the token check of `/api` writes.
  if (c.sessions) app.route('/api/auth', signInRoutes({ sessions: c.sessions, terms: c.terms }))
  const api = new Hono()
  // Who is asking comes first: nothing of an unauthenticated write's body is read or buffered.
  api.use(requireTokenForWrites(init.apiToken))
  api.use(limitBody(MAX_JSON_BODY_BYTES))
  api.route('/models', modelRoutes(c))
  api.route('/proposals', proposalRoutes(c))
  api.route('/nodes', nodeRoutes(c))
  api.route('/accounts', accountRoutes(c))
  api.route('/chain', chainRoutes({ info: c.chainInfo, warp: c.warp, apiToken: init.apiToken }))
  api.route('/', shareRoutes(c))
  if (c.apiKeys) api.route('/keys', keyRoutes({ keys: c.apiKeys, apiToken: init.apiToken }))
  for (const m of c.apiRoutes ?? []) api.route(m.path, m.app)
  app.route('/api', api)
  for (const m of c.mounts ?? []) app.route(m.path, m.app)
  return app
}

export { ApiKeyStore } from './api-keys/api-key-store.ts'
// Used by other domains.
export {
  EVENT_HEARTBEAT_MS,
  EVENT_POLL_MS,
  EVENT_REFRESH_EVERY,
  MAX_EVENT_SUBSCRIBERS,
  VOTE_RELAYS_PER_MINUTE,
} from './constants.ts'
export { EventStreamFullError, VoteRelayBusyError } from './errors.ts'
export { EventHub, type EventSources } from './event-hub.ts'
export { LabelledCounter, Metrics } from './metrics.ts'
export { openAiRoutes } from './openai/index.ts'
export { dashboardRoutes } from './routes/dashboard.ts'
export { datasetRoutes, lineageRoutes } from './routes/datasets.ts'
export { type EvaluationRouteComponents, evaluationRoutes } from './routes/evaluations.ts'
export { eventRoutes } from './routes/events.ts'
export { createKeyBody } from './routes/keys.ts'
export type { PeerView } from './routes/peers.ts'
export { peerRoutes } from './routes/peers.ts'
export { type ServingRouteComponents, servingRoutes } from './routes/serving.ts'
export type { TermsRelay } from './routes/sign-in.ts'
export type { StoreRouteComponents } from './routes/store.ts'
export { storeRoutes } from './routes/store.ts'
export { trainingRoutes } from './routes/training.ts'
export {
  type ClaimInput,
  type DepositInput,
  type UsageApi,
  type UsageHistoryInput,
  usageRoutes,
} from './routes/usage.ts'
export { voteRelayRoutes } from './routes/vote-relay.ts'
export { SignInSessions } from './sign-in/sign-in-sessions.ts'
