import { access, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { RefusedError, UnavailableError } from '../errors.ts'
import {
  CARD_URI_PREFIX,
  type CardStore,
  cardRootOf,
  type ModelCard,
  modelCardSchema,
  type VersionCheck,
} from '../governance/index.ts'
import { checkModelLoads } from '../inference/index.ts'
import type { ContentStore } from '../store/index.ts'
import { getJson, putJson } from './store-json.ts'

/** A version's content is not on this node, so it cannot be checked before it is proposed. */
export class VersionContentMissingError extends RefusedError {}

/** Largest model card read back from the store (bytes). */
const MAX_CARD_BYTES = 64 * 1024

/**
 * Governance's view of the node's content store: a version is proposed only when this node holds its
 * content and, for GGUF, the file loads (the project's reader, then llama.cpp); model cards are JSON
 * files in the store. Created before the store starts; `attach` gives it the store.
 */
export class StoreReleaseChecks implements VersionCheck, CardStore {
  private store: ContentStore | undefined

  /** `modelsDir`: where the model server assembles GGUF files; a checked file stays there for it. */
  constructor(private readonly c: { modelsDir: string }) {}

  attach(store: ContentStore): void {
    this.store = store
  }

  async check(v: { contentRoot: `0x${string}`; format: string }): Promise<void> {
    const store = this.started()
    const root = v.contentRoot.slice(2).toLowerCase()
    if (!store.has(root) || store.missingChunks(root).length > 0) {
      throw new VersionContentMissingError(
        `This node does not hold content ${root}, so it cannot check that the version loads before proposing it. Add the file here with \`commons store add <file> --propose <model>\` (or fetch it with \`commons store fetch ${root}\`) and propose again.`,
      )
    }
    // Only GGUF is served by llama.cpp; other formats (adapters, datasets) have no load to check here.
    if (v.format.toLowerCase() !== 'gguf') return
    const path = join(this.c.modelsDir, `${root}.gguf`)
    if (!(await exists(path))) await store.export(root, path)
    try {
      await checkModelLoads(path, { label: `Content ${root}` })
    } catch (err) {
      await rm(path, { force: true })
      throw err
    }
  }

  async write(card: ModelCard): Promise<string> {
    return `${CARD_URI_PREFIX}${await putJson(this.started(), card, 'model-card.json')}`
  }

  async read(uri: string): Promise<ModelCard | undefined> {
    const root = cardRootOf(uri)
    if (root === undefined || this.store === undefined) return undefined
    const parsed = modelCardSchema.safeParse(await getJson(this.store, root, MAX_CARD_BYTES))
    return parsed.success ? parsed.data : undefined
  }

  private started(): ContentStore {
    if (this.store === undefined)
      throw new UnavailableError('The content store is not started yet; try again.')
    return this.store
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}
