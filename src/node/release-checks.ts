import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
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
    const dir = await mkdtemp(join(tmpdir(), 'commons-check-'))
    try {
      const path = join(dir, `${root}.gguf`)
      await store.export(root, path)
      await checkModelLoads(path, { label: `Content ${root}` })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  async write(card: ModelCard): Promise<string> {
    const store = this.started()
    const dir = await mkdtemp(join(tmpdir(), 'commons-card-'))
    try {
      const path = join(dir, 'model-card.json')
      await writeFile(path, `${JSON.stringify(card, null, 2)}\n`)
      const { root } = await store.add(path, { name: 'model-card.json', mediaType: 'application/json' })
      return `${CARD_URI_PREFIX}${root}`
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  async read(uri: string): Promise<ModelCard | undefined> {
    const root = cardRootOf(uri)
    const store = this.store
    if (root === undefined || store === undefined || !store.has(root)) return undefined
    if (store.missingChunks(root).length > 0 || store.getManifest(root).size > MAX_CARD_BYTES)
      return undefined
    const dir = await mkdtemp(join(tmpdir(), 'commons-card-'))
    try {
      const path = join(dir, 'model-card.json')
      await store.export(root, path)
      const parsed = modelCardSchema.safeParse(JSON.parse(await readFile(path, 'utf8')))
      return parsed.success ? parsed.data : undefined
    } catch {
      return undefined
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  private started(): ContentStore {
    if (this.store === undefined)
      throw new UnavailableError('The content store is not started yet; try again.')
    return this.store
  }
}
