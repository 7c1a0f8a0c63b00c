/**
 * The OpenAI-compatible API under `/v1`: models, chat and text completions (JSON or SSE), embeddings,
 * with API-key auth, per-model admission and OpenAI-shaped errors, over the `InferenceApi` that the
 * node's inference service provides.
 */
import { Hono } from 'hono'
import { NotFoundError } from '../../errors.ts'
import type { InferenceApi, InferenceBackend, ModelResolver } from '../../inference/index.ts'
import type { Logger } from '../../log.ts'
import type { UsageGate } from '../../policy/index.ts'
import type { ApiKeyStore } from '../api-keys/api-key-store.ts'
import { requireApiKey } from '../api-keys/require-api-key.ts'
import { limitBody } from '../body-limit.ts'
import type { SignInSessions } from '../sign-in/sign-in-sessions.ts'
import { chatCompletionRoutes } from './chat-completions.ts'
import { completionRoutes } from './completions.ts'
import { DEFAULT_OPENAI_LIMITS, MAX_OPENAI_BODY_BYTES } from './constants.ts'
import { embeddingRoutes } from './embeddings.ts'
import { modelListRoutes } from './models.ts'
import { openAiErrorResponse } from './openai-error.ts'
import { requireJson } from './require-json.ts'

/** Limits of the OpenAI API (see DEFAULT_OPENAI_LIMITS for the defaults and their meaning). */
export type OpenAiLimits = { -readonly [K in keyof typeof DEFAULT_OPENAI_LIMITS]: number }

/** Options of the /v1 routes. */
export interface OpenAiRoutesInit {
  /** Overrides of DEFAULT_OPENAI_LIMITS. */
  limits?: Partial<OpenAiLimits>
}

/** What the /v1 routes need from the node. */
export interface OpenAiRoutesComponents {
  /** The node's inference service, as the HTTP layer sees it. */
  inference: InferenceApi
  /** An ApiKeyStore, or `open` to serve /v1 without keys (loopback demos only). */
  apiKeys: Pick<ApiKeyStore, 'verify'> | 'open'
  /** Sign-In with Ethereum sessions, accepted like API keys (not when `/v1` is open). */
  sessions?: Pick<SignInSessions, 'verify'>
  /**
   * When `/v1` is open (loopback only): the address keyless requests act for, i.e. the node's operator,
   * who pays for paid models from its own deposit. Absent: keyless requests are anonymous.
   */
  openConsumer?: `0x${string}`
  /** The models' usage policy, applied to every request before any work. */
  policy?: Pick<UsageGate, 'admit'>
  onRefusal?(reason: string, model: string): void
  log: Logger
}

/** What each /v1 route handler works with. */
export interface OpenAiContext {
  resolver: ModelResolver
  inference: InferenceBackend
  /** Per-model bound on requests in progress or waiting (429 beyond it). */
  admission: InferenceApi['admission']
  limits: OpenAiLimits
  /** The models' usage policy; absent: every authenticated caller may use every model (tests, demos). */
  policy?: Pick<UsageGate, 'admit'>
  /** Counts a policy refusal by reason. */
  onRefusal?(reason: string, model: string): void
  log: Logger
}

/**
 * The `/v1` sub-app; mount it with `app.route('/v1', openAiRoutes(init, components))`.
 * @example
 * createApi({ apiToken }, { ...components, mounts: [{ path: '/v1', app: openAiRoutes({}, { inference, apiKeys: 'open', log }) }] })
 */
export function openAiRoutes(init: OpenAiRoutesInit, components: OpenAiRoutesComponents): Hono {
  const { inference, log } = components
  const c: OpenAiContext = {
    resolver: inference.resolver,
    inference: inference.router,
    admission: inference.admission,
    limits: openAiLimits(init.limits),
    policy: components.policy,
    onRefusal: components.onRefusal,
    log,
  }
  const auth =
    components.apiKeys === 'open'
      ? { mode: 'open' as const, consumer: components.openConsumer }
      : { mode: 'keys' as const, store: components.apiKeys, sessions: components.sessions }
  const app = new Hono()
  app.onError((err, ctx) => openAiErrorResponse(ctx, err, c.log))
  app.notFound((ctx) =>
    openAiErrorResponse(ctx, new NotFoundError(`No route ${ctx.req.method} ${ctx.req.path}.`), c.log),
  )
  // Who is asking comes first: nothing of an unauthenticated body is read or buffered.
  app.use(requireApiKey(auth))
  app.use(requireJson())
  app.use(limitBody(MAX_OPENAI_BODY_BYTES))
  app.route('/models', modelListRoutes(c))
  app.route('/chat/completions', chatCompletionRoutes(c))
  app.route('/completions', completionRoutes(c))
  app.route('/embeddings', embeddingRoutes(c))
  return app
}

/** Fills unset limits with the defaults. */
export function openAiLimits(limits: Partial<OpenAiLimits> = {}): OpenAiLimits {
  return { ...DEFAULT_OPENAI_LIMITS, ...limits }
}
