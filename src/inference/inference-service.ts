import type { Hono } from 'hono'
import type { ApiKeyStore } from '../api/api-keys/api-key-store.ts'
import type { ApiAuth } from '../api/api-keys/require-api-key.ts'
import { type OpenAiLimits, openAiLimits, openAiRoutes } from '../api/openai/index.ts'
import type { Logger } from '../log.ts'
import type { CommonsHost } from '../net/commons-host.ts'
import type { PeerDirectory } from '../net/peer-directory.ts'
import type { ModelResolver, ResolvedModel } from './models/model-resolver.ts'
import { createInferenceRouter, type InferenceRouterInit } from './router/index.ts'
import type { InferenceRouter } from './router/inference-router.ts'
import { INFER_PROTOCOL, MAX_INBOUND_INFER_STREAMS } from './serving/constants.ts'
import { inferProtocolHandler } from './serving/infer-handler.ts'
import type { LocalModels } from './serving/local-models.ts'
import { ModelAdmission } from './serving/model-admission.ts'

/** What the inference service needs from the node root. Without host and directory it serves local models only. */
export interface InferenceServiceComponents {
  host?: Pick<CommonsHost, 'peerId' | 'dial' | 'handle' | 'unhandle' | 'connectedPeers'>
  directory?: PeerDirectory
  resolver: ModelResolver
  localModels: LocalModels
  /** An ApiKeyStore, or `open` to serve /v1 without keys (loopback demos only). */
  apiKeys: Pick<ApiKeyStore, 'verify'> | 'open'
  log: Logger
  limits?: Partial<OpenAiLimits>
  router?: InferenceRouterInit
}

/** The inference service: /v1 routes, the router, and the `/commons/infer/1.0.0` handler (registered on start). */
export interface InferenceService {
  /** Mount at `/v1`. */
  routes: Hono
  router: InferenceRouter
  admission: ModelAdmission
  /** Registers the inference stream protocol on the host. */
  start(): Promise<void>
  stop(): Promise<void>
  /** This node's inference load 0–1, for announcements. */
  load(): number
  /** The `serves` entry to announce for a model version loaded here. */
  servesEntry(model: ResolvedModel): { model: string; version: string }
}

/**
 * Builds the node's inference service.
 * @example
 * const inference = createInferenceService({ host, directory, resolver: new ChainModelResolver({ reader }), localModels, apiKeys, log })
 * await inference.start(); createApi({ ...c, mounts: [{ path: '/v1', app: inference.routes }] })
 */
export function createInferenceService(c: InferenceServiceComponents): InferenceService {
  const log = c.log.child({ component: 'inference-service' })
  const limits = openAiLimits(c.limits)
  const admission = new ModelAdmission({
    maxInFlight: limits.maxInFlightPerModel,
    retryAfterSeconds: limits.retryAfterSeconds,
  })
  const router = createInferenceRouter(
    { localModels: c.localModels, admission, log, host: c.host, directory: c.directory },
    c.router,
  )
  const auth: ApiAuth = c.apiKeys === 'open' ? { mode: 'open' } : { mode: 'keys', store: c.apiKeys }
  const routes = openAiRoutes({ resolver: c.resolver, inference: router, admission, limits, auth, log })
  let started = false
  return {
    routes,
    router,
    admission,
    async start() {
      if (started || c.host === undefined) return
      await c.host.handle(
        INFER_PROTOCOL,
        inferProtocolHandler({ localModels: c.localModels, admission, log }),
        { maxInboundStreams: MAX_INBOUND_INFER_STREAMS, maxOutboundStreams: MAX_INBOUND_INFER_STREAMS },
      )
      started = true
    },
    async stop() {
      if (!started || c.host === undefined) return
      started = false
      await c.host.unhandle(INFER_PROTOCOL)
    },
    load: () => admission.load(),
    servesEntry: (m) => ({ model: m.modelId, version: m.versionId }),
  }
}
