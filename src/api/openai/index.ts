/**
 * The OpenAI-compatible API under `/v1`: models, chat and text completions (JSON or SSE), embeddings,
 * with API-key auth, per-model admission and OpenAI-shaped errors. `createInferenceService` (in
 * inference-service.ts) wires it to the router and the `/commons/infer/1.0.0` handler.
 */
import { Hono } from 'hono'
import { NotFoundError } from '../../errors.ts'
import type { GenerationChunk } from '../../inference/index.ts'
import type { ModelResolver } from '../../inference/models/model-resolver.ts'
import type { RouteTarget } from '../../inference/router/index.ts'
import type { Embedding, InferenceTask } from '../../inference/serving/inference-task.ts'
import type { ModelAdmission } from '../../inference/serving/model-admission.ts'
import type { Logger } from '../../log.ts'
import { type ApiAuth, requireApiKey } from '../api-keys/require-api-key.ts'
import { limitBody } from '../body-limit.ts'
import { chatCompletionRoutes } from './chat-completions.ts'
import { completionRoutes } from './completions.ts'
import { DEFAULT_OPENAI_LIMITS, MAX_OPENAI_BODY_BYTES } from './constants.ts'
import { embeddingRoutes } from './embeddings.ts'
import { modelListRoutes } from './models.ts'
import { openAiErrorResponse } from './openai-error.ts'

export type { ModelResolver, ResolvedModel } from '../../inference/models/model-resolver.ts'

/** Limits of the OpenAI API (see DEFAULT_OPENAI_LIMITS for the defaults and their meaning). */
export type OpenAiLimits = { -readonly [K in keyof typeof DEFAULT_OPENAI_LIMITS]: number }

/** Where generations run: the InferenceRouter (local engine or peers) satisfies it. */
export interface InferenceBackend {
  generate(
    target: RouteTarget,
    task: InferenceTask,
    options: { signal?: AbortSignal },
  ): AsyncIterable<GenerationChunk>
  embed(target: RouteTarget, input: string, options: { signal?: AbortSignal }): Promise<Embedding>
  /** True when this node or a known peer serves the target now. */
  available(target: RouteTarget): boolean
}

/** What the /v1 routes need. */
export interface OpenAiComponents {
  resolver: ModelResolver
  inference: InferenceBackend
  /** Per-model bound on requests in progress or waiting (429 beyond it). */
  admission: ModelAdmission
  limits: OpenAiLimits
  auth: ApiAuth
  log: Logger
}

/**
 * The `/v1` sub-app; mount it with `app.route('/v1', openAiRoutes(c))`.
 * @example
 * createApi({ ...components, mounts: [{ path: '/v1', app: openAiRoutes({ resolver, inference: router, admission, limits, auth, log }) }] })
 */
export function openAiRoutes(c: OpenAiComponents): Hono {
  const app = new Hono()
  app.onError((err, ctx) => openAiErrorResponse(ctx, err, c.log))
  app.notFound((ctx) =>
    openAiErrorResponse(ctx, new NotFoundError(`No route ${ctx.req.method} ${ctx.req.path}.`), c.log),
  )
  app.use(limitBody(MAX_OPENAI_BODY_BYTES))
  app.use(requireApiKey(c.auth))
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
