import { access, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../../log.ts'
import type { ContentStore } from '../../store/index.ts'
import type { InferenceEngine } from '../index.ts'
import type { LoadedModels } from '../serving/local-models.ts'
import type { LoadFailures } from './load-failures.ts'
import type { ModelResolver, ResolvedModel } from './model-resolver.ts'

/**
 * Keeps the models this node serves loaded: resolves each name to its latest published version, gets the
 * weights into the store (from peers when missing), assembles the GGUF once, and loads an engine for it.
 * A version whose file does not load is recorded in `failures` (logged, counted, shown by /api/serving):
 * the engine of the previous version keeps serving, and the resolver skips the failed root from then on.
 */
export class ModelServer {
  private readonly serving = new Map<string, ResolvedModel>()
  private refreshing: Promise<void> = Promise.resolve()

  constructor(
    private readonly c: {
      resolver: ModelResolver
      store: Pick<ContentStore, 'has' | 'missingChunks' | 'export'>
      loaded: LoadedModels
      fetch(root: string): Promise<unknown>
      createEngine(source: { path: string; contentRoot: string }): Promise<InferenceEngine>
      /** Throws when the file is not a model llama.cpp loads (checked before createEngine). */
      checkLoads?(path: string): Promise<void>
      failures: LoadFailures
      servingList(): Promise<string[]>
      modelsDir: string
      log: Logger
    },
  ) {}

  /** What to announce: the versions loaded here. */
  serves(): ResolvedModel[] {
    return [...this.serving.values()]
  }

  /** Brings the loaded engines in line with the serving list and the registry (serialized). */
  refresh(): Promise<void> {
    const next = this.refreshing.then(() => this.doRefresh())
    this.refreshing = next.catch(() => {})
    return next
  }

  private async doRefresh(): Promise<void> {
    const wanted = await this.c.servingList()
    // A model taken off the list is unloaded (its engine disposed) unless another entry serves the same root.
    for (const [name, current] of [...this.serving]) {
      if (wanted.includes(name)) continue
      this.serving.delete(name)
      const stillServed = [...this.serving.values()].some((m) => m.contentRoot === current.contentRoot)
      if (!stillServed) await this.c.loaded.delete(current.contentRoot)?.dispose()
      this.c.log.info({ model: name }, 'stopped serving model')
    }
    for (const name of wanted) {
      try {
        const resolved = await this.c.resolver.resolve(name)
        const current = this.serving.get(name)
        if (current?.contentRoot === resolved.contentRoot) {
          // The same weights published again as a new version (after a revoke): the loaded engine serves it,
          // and the node announces the version published now, which is what peers' routers look for.
          if (current.versionId !== resolved.versionId) this.serving.set(name, resolved)
          continue
        }
        const root = resolved.contentRoot.replace(/^0x/, '')
        if (!this.c.store.has(root) || this.c.store.missingChunks(root).length > 0) await this.c.fetch(root)
        const path = join(this.c.modelsDir, `${root}.gguf`)
        if (!(await exists(path))) await this.c.store.export(root, path)
        const engine = await this.load(name, resolved, path, root)
        if (engine === undefined) continue
        this.c.loaded.set(root, engine)
        this.serving.set(name, resolved)
        if (current) await this.c.loaded.delete(current.contentRoot)?.dispose()
        this.c.log.info({ model: name, version: resolved.versionId, root }, 'serving model')
      } catch (err) {
        this.c.log.warn(
          { model: name, err: (err as Error).message },
          'cannot serve model yet; will retry on the next refresh',
        )
      }
    }
  }

  /** Loads a verified file; a file that does not load is recorded as a failure of its version (undefined). */
  private async load(name: string, resolved: ResolvedModel, path: string, root: string) {
    try {
      await this.c.checkLoads?.(path)
      return await this.c.createEngine({ path, contentRoot: root })
    } catch (err) {
      const reason = (err as Error).message
      this.c.failures.record({
        model: name,
        versionId: resolved.versionId,
        contentRoot: resolved.contentRoot,
        reason,
        at: Date.now(),
      })
      await rm(path, { force: true })
      const current = this.serving.get(name)
      this.c.log.error(
        { model: name, version: resolved.versionId, root, servingVersion: current?.versionId, reason },
        current
          ? 'the newest published version does not load; still serving the previous version'
          : 'the newest published version does not load; no earlier version to serve',
      )
      return undefined
    }
  }

  /** Unloads every engine. */
  async stop(): Promise<void> {
    await this.refreshing
    for (const m of this.serving.values()) await this.c.loaded.delete(m.contentRoot)?.dispose()
    this.serving.clear()
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
