import type { Logger } from '../log.ts'
import {
  DEFAULT_MAX_IN_FLIGHT_PER_MODEL,
  DEFAULT_MODEL_REFRESH_MS,
  DEFAULT_RETRY_AFTER_SECONDS,
} from './constants.ts'
import { LlamaCppEngine } from './engine/llama-cpp-engine.ts'
import { checkModelLoads } from './engine/load-check.ts'
import type {
  InferenceService,
  InferenceServiceComponents,
  InferenceServiceInit,
  ModelSource,
  ResolvedModel,
} from './index.ts'
import { LoadFailures } from './models/load-failures.ts'
import type { ModelResolver } from './models/model-resolver.ts'
import { ModelServer } from './models/model-server.ts'
import { createInferenceRouter } from './router/index.ts'
import type { InferenceRouter } from './router/inference-router.ts'
import { INFER_PROTOCOL, MAX_INBOUND_INFER_STREAMS } from './serving/constants.ts'
import { inferProtocolHandler } from './serving/infer-handler.ts'
import { LoadedModels } from './serving/local-models.ts'
import { ModelAdmission } from './serving/model-admission.ts'
import { readServingList } from './serving/serving-list.ts'

/**
 * The node's inference service: the engines loaded here, per-model admission, the router, the
 * `/commons/infer/1.0.0` handler (registered on start) and, when a data dir is given, the model server
 * that keeps the served models loaded (refreshed on a timer from start to stop).
 */
export class DefaultInferenceService implements InferenceService {
  readonly resolver: ModelResolver
  readonly localModels: LoadedModels
  readonly admission: ModelAdmission
  readonly router: InferenceRouter
  readonly failures: LoadFailures
  private readonly models: ModelServer | undefined
  private readonly log: Logger
  private refreshTimer: NodeJS.Timeout | undefined
  private handling = false
  private started = false

  constructor(
    private readonly init: InferenceServiceInit,
    private readonly c: InferenceServiceComponents,
  ) {
    this.log = c.log.child({ component: 'inference-service' })
    this.resolver = c.resolver
    this.localModels = c.localModels ?? new LoadedModels()
    this.failures = c.failures ?? new LoadFailures()
    this.admission = new ModelAdmission({
      maxInFlight: init.maxInFlightPerModel ?? DEFAULT_MAX_IN_FLIGHT_PER_MODEL,
      retryAfterSeconds: init.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    })
    this.router = createInferenceRouter(
      {
        localModels: this.localModels,
        admission: this.admission,
        log: c.log,
        host: c.host,
        directory: c.directory,
        meter: c.meter,
      },
      init.router,
    )
    this.models = this.modelServer()
  }

  private modelServer(): ModelServer | undefined {
    const { paths } = this.init
    const { store, fetch } = this.c
    if (paths === undefined || store === undefined || fetch === undefined) return undefined
    const engine = { threads: this.init.threads, sequences: this.init.sequences }
    const createEngine =
      this.c.createEngine ??
      ((source: ModelSource) => LlamaCppEngine.load(source, engine, { llama: this.c.llama, log: this.c.log }))
    return new ModelServer({
      resolver: this.resolver,
      store,
      loaded: this.localModels,
      fetch,
      createEngine,
      // Files of the default engine pass the project's GGUF reader before llama.cpp sees them (the engine's
      // own load is the llama.cpp check: loading twice would slow every start).
      checkLoads:
        this.c.createEngine === undefined
          ? (path: string) => checkModelLoads(path, { llamaLoad: false })
          : undefined,
      failures: this.failures,
      servingList: () => readServingList(paths.servingList),
      modelsDir: paths.models,
      log: this.c.log,
    })
  }

  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    if (this.c.host !== undefined) {
      await this.c.host.handle(
        INFER_PROTOCOL,
        inferProtocolHandler({
          localModels: this.localModels,
          admission: this.admission,
          log: this.log,
          admit: this.c.admitPeerRequest,
          meter: this.c.servedMeter,
          queueProgressMs: this.init.queueProgressMs,
          coalesceMs: this.init.chunkCoalesceMs,
        }),
        { maxInboundStreams: MAX_INBOUND_INFER_STREAMS, maxOutboundStreams: MAX_INBOUND_INFER_STREAMS },
      )
      this.handling = true
    }
    const models = this.models
    if (models !== undefined) {
      void models
        .refresh()
        .then(() => this.c.onServingChanged?.())
        .catch((err) => this.log.warn({ err }, 'first model refresh failed; the timer retries'))
      this.refreshTimer = setInterval(
        () => void models.refresh(),
        this.init.refreshMs ?? DEFAULT_MODEL_REFRESH_MS,
      )
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    clearInterval(this.refreshTimer)
    this.refreshTimer = undefined
    await this.models?.stop()
    if (this.handling && this.c.host !== undefined) {
      this.handling = false
      await this.c.host.unhandle(INFER_PROTOCOL)
    }
  }

  /** Loads and unloads what the serving list names now, then announces the change. */
  async refresh(): Promise<void> {
    await this.models?.refresh()
    await this.c.onServingChanged?.()
  }

  serves(): { model: string; version: string }[] {
    return (this.models?.serves() ?? []).map((m) => servesEntry(m))
  }

  serving(): ResolvedModel[] {
    return this.models?.serves() ?? []
  }

  load(): number {
    return this.admission.load()
  }
}

/** The `serves` entry a node announces for a model version loaded here. */
function servesEntry(m: ResolvedModel): { model: string; version: string } {
  return { model: m.modelId, version: m.versionId }
}
