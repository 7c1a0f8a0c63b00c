import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { ApiKeyStore } from '../../src/api/api-keys/api-key-store.ts'
import { type OpenAiLimits, openAiRoutes } from '../../src/api/openai/index.ts'
import {
  createInferenceEngine,
  createInferenceService,
  type GenerationChunk,
  type InferenceEngine,
  type InferenceRouterInit,
  type InferenceService,
  type InferenceServiceComponents,
  type InferenceServiceInit,
  LoadedModels,
  type ResolvedModel,
  StaticModelResolver,
} from '../../src/inference/index.ts'
import { silentLogger } from '../../src/log.ts'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import type { PeerDirectory } from '../../src/net/peer-directory.ts'
import { testLlama, writeTinyModel } from '../inference/fixtures.ts'

/** Content root of the tiny test model (any 32 bytes: the tests do not go through the store). */
export const TINY_ROOT = `0x${'ab'.repeat(32)}`

/** The published versions the static resolver knows: `tiny` (v1 and v2, same file) and `ghost` (served by nobody). */
export const TINY_VERSIONS: ResolvedModel[] = [
  { modelName: 'tiny', modelId: '1', versionId: '1', contentRoot: TINY_ROOT, created: 1 },
  { modelName: 'tiny', modelId: '1', versionId: '2', contentRoot: TINY_ROOT, created: 2 },
  { modelName: 'ghost', modelId: '2', versionId: '1', contentRoot: `0x${'cd'.repeat(32)}`, created: 3 },
]

/** Writes the tiny test model and loads it with one thread (the machine is shared). */
export async function loadTinyEngine(dir: string, sequences = 2): Promise<InferenceEngine> {
  const source = await writeTinyModel(dir, { nEmbd: 64, nLayer: 2, nCtx: 1024 })
  return createInferenceEngine(
    { ...source, contentRoot: TINY_ROOT },
    { threads: 1, sequences, contextSize: 1024 },
    { llama: await testLlama() },
  )
}

/** A node for API tests: the inference service over HTTP on 127.0.0.1 port 0, optionally with a libp2p host. */
export interface TestApiNode extends AsyncDisposable {
  url: string
  service: InferenceService
  localModels: LoadedModels
  close(): Promise<void>
}

/** Limits of a test node: the /v1 ones and the inference service's per-model queue bound. */
export type TestLimits = Partial<OpenAiLimits> &
  Pick<InferenceServiceInit, 'maxInFlightPerModel' | 'retryAfterSeconds'>

/** Starts the /v1 API on port 0 with the given engine (or none) and auth. */
export async function startApiNode(opts: {
  engine?: InferenceEngine
  apiKeys?: Pick<ApiKeyStore, 'verify'> | 'open'
  limits?: TestLimits
  host?: CommonsHost
  directory?: PeerDirectory
  router?: InferenceRouterInit
  admitPeerRequest?: InferenceServiceComponents['admitPeerRequest']
}): Promise<TestApiNode> {
  const localModels = new LoadedModels()
  if (opts.engine !== undefined) localModels.set(TINY_ROOT, opts.engine)
  const { maxInFlightPerModel, retryAfterSeconds, ...limits } = opts.limits ?? {}
  const service = createInferenceService(
    { maxInFlightPerModel, retryAfterSeconds, router: opts.router },
    {
      host: opts.host,
      directory: opts.directory,
      resolver: new StaticModelResolver(TINY_VERSIONS),
      localModels,
      log: silentLogger,
      admitPeerRequest: opts.admitPeerRequest,
    },
  )
  await service.start()
  const routes = openAiRoutes(
    { limits },
    { inference: service, apiKeys: opts.apiKeys ?? 'open', log: silentLogger },
  )
  const app = new Hono().route('/v1', routes)
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
  })
  const port = (server.address() as AddressInfo).port
  const close = async (): Promise<void> => {
    await service.stop()
    ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return { url: `http://127.0.0.1:${port}/v1`, service, localModels, close, [Symbol.asyncDispose]: close }
}

/** Wraps an engine to observe generations: how many run now and how many tokens each produced. */
export function observeEngine(
  engine: InferenceEngine,
): InferenceEngine & { active: number; finished: number[] } {
  const state = { active: 0, finished: [] as number[] }
  const wrap = (source: AsyncIterable<GenerationChunk>) =>
    (async function* () {
      state.active++
      let n = 0
      try {
        for await (const chunk of source) {
          n += chunk.tokens.length
          yield chunk
        }
      } finally {
        state.active--
        state.finished.push(n)
      }
    })()
  return new Proxy(engine, {
    get(target, prop, receiver) {
      if (prop === 'active') return state.active
      if (prop === 'finished') return state.finished
      if (prop === 'generate')
        return (req: Parameters<InferenceEngine['generate']>[0]) => wrap(target.generate(req))
      if (prop === 'resume')
        return (req: Parameters<InferenceEngine['resume']>[0], g: readonly number[]) =>
          wrap(target.resume(req, g))
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as InferenceEngine & { active: number; finished: number[] }
}
