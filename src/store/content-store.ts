import { createHash } from 'node:crypto'
import { mkdir, open, readdir, readFile, rm, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../atomic-file.ts'
import { throwIfAborted } from '../errors.ts'
import type { Logger } from '../log.ts'
import { ChunkFiles, ChunkWriter } from './chunk-files.ts'
import { DEFAULT_CHUNK_SIZE, MANIFEST_VERSION, MAX_CHUNK_SIZE } from './constants.ts'
import {
  ChunkHashMismatchError,
  ChunkNotFoundError,
  InvalidManifestError,
  ManifestNotFoundError,
} from './errors.ts'
import { exportContent } from './export-content.ts'
import {
  type ContentRoot,
  contentRootOf,
  contentRootToCid,
  decodeManifest,
  encodeManifest,
  type Manifest,
  parseContentRoot,
} from './manifest.ts'
import type { ChunkExportedEvent, ChunkStoredEvent, OnProgress } from './progress.ts'

/** Options of a content store. */
export interface ContentStoreInit {
  /** Directory holding `chunks/`, `manifests/`, `pins/`. */
  dir: string
  /** Chunk size for files added here. */
  chunkSize?: number
  /** fsync every chunk and manifest before rename (default true). */
  durable?: boolean
  /** Re-hash chunks when reading them to serve peers (default false; export always verifies). */
  verifyOnRead?: boolean
  log: Logger
}

/** One entry of `ls()`. */
export interface StoredContent {
  root: ContentRoot
  cid: string
  name: string | undefined
  size: number
  chunkCount: number
  missingChunks: number
  complete: boolean
  pinned: boolean
}

/** What `gc()` removed. */
export interface GcResult {
  removedManifests: ContentRoot[]
  removedChunks: number
  freedBytes: number
}

const HEX64 = /^[0-9a-f]{64}$/

/**
 * Content-addressed chunk store on disk. Chunks live at `chunks/ab/<sha256>`, are verified before they
 * are written and written atomically; manifests at `manifests/<root>.json`; pins are empty files.
 */
export class ContentStore {
  private readonly chunkDir: string
  private readonly manifestDir: string
  private readonly pinDir: string
  private readonly manifests = new Map<ContentRoot, Manifest>()
  private readonly present = new Set<string>()
  private readonly refs = new Map<string, number>()
  private readonly pins = new Set<ContentRoot>()
  private readonly files: ChunkFiles
  private readonly log: Logger
  readonly chunkSize: number
  private opened = false

  constructor(private readonly init: ContentStoreInit) {
    this.chunkDir = join(init.dir, 'chunks')
    this.manifestDir = join(init.dir, 'manifests')
    this.pinDir = join(init.dir, 'pins')
    this.files = new ChunkFiles(this.chunkDir, init.durable !== false)
    this.chunkSize = init.chunkSize ?? DEFAULT_CHUNK_SIZE
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1 || this.chunkSize > MAX_CHUNK_SIZE) {
      throw new InvalidManifestError(`chunkSize must be an integer in 1..${MAX_CHUNK_SIZE}.`)
    }
    this.log = init.log
  }

  /** Loads the index (manifests, present chunks, pins) and removes leftover temp files. */
  async start(): Promise<void> {
    if (this.opened) return
    await Promise.all(
      [this.chunkDir, this.manifestDir, this.pinDir].map((d) => mkdir(d, { recursive: true })),
    )
    for (const name of await readdir(this.manifestDir)) {
      if (name.endsWith('.tmp')) {
        await rm(join(this.manifestDir, name), { force: true })
        continue
      }
      const root = name.replace(/\.json$/, '')
      if (!HEX64.test(root)) continue
      try {
        this.indexManifest(root, decodeManifest(await readFile(join(this.manifestDir, name)), root))
      } catch (err) {
        this.log.warn({ err, root }, 'ignoring a corrupt manifest')
      }
    }
    for (const prefix of await readdir(this.chunkDir)) {
      for (const name of await readdir(join(this.chunkDir, prefix)).catch(() => [] as string[])) {
        if (HEX64.test(name)) this.present.add(name)
        else if (name.endsWith('.tmp')) await rm(join(this.chunkDir, prefix, name), { force: true })
      }
    }
    for (const name of await readdir(this.pinDir)) if (HEX64.test(name)) this.pins.add(name)
    this.opened = true
  }

  /** Nothing to release; present for symmetry with other services. */
  async stop(): Promise<void> {
    this.opened = false
  }

  /**
   * Adds a file: streams it in chunkSize pieces (never the whole file in memory), stores the chunks and
   * the manifest, pins it, and returns the content root.
   * @example const { root, cid } = await store.add('/models/llama.gguf', { onProgress: (e) => bar.update(e.detail.doneBytes) })
   */
  async add(
    filePath: string,
    options: {
      name?: string
      mediaType?: string
      signal?: AbortSignal
      onProgress?: OnProgress<ChunkStoredEvent>
    } = {},
  ): Promise<{ root: ContentRoot; cid: string; manifest: Manifest }> {
    const fh = await open(filePath, 'r')
    const chunks: string[] = []
    let size = 0
    try {
      const { size: totalBytes } = await fh.stat()
      const buf = Buffer.allocUnsafe(this.chunkSize)
      for (;;) {
        throwIfAborted(options.signal)
        let filled = 0
        while (filled < this.chunkSize) {
          const { bytesRead } = await fh.read(buf, filled, this.chunkSize - filled, null)
          if (bytesRead === 0) break
          filled += bytesRead
        }
        if (filled === 0) break
        const data = buf.subarray(0, filled)
        const hash = createHash('sha256').update(data).digest('hex')
        if (!this.present.has(hash)) await this.writeChunk(hash, [data])
        chunks.push(hash)
        size += filled
        options.onProgress?.({
          type: 'store:chunk:stored',
          detail: { index: chunks.length - 1, hash, bytes: filled, doneBytes: size, totalBytes },
        })
        if (filled < this.chunkSize) break
      }
    } finally {
      await fh.close()
    }
    const manifest: Manifest = { version: MANIFEST_VERSION, chunkSize: this.chunkSize, size, chunks }
    if (options.name !== undefined) manifest.name = options.name
    if (options.mediaType !== undefined) manifest.mediaType = options.mediaType
    const root = await this.putManifest(manifest)
    await this.pin(root)
    return { root, cid: contentRootToCid(root), manifest }
  }

  /** Records a manifest (validated) and returns its content root. Its chunks may still be missing. */
  async putManifest(manifest: Manifest, expectedRoot?: ContentRoot): Promise<ContentRoot> {
    const bytes = encodeManifest(manifest)
    const checked = decodeManifest(bytes, expectedRoot)
    const root = contentRootOf(checked)
    if (!this.manifests.has(root)) {
      await writeFileAtomic(join(this.manifestDir, `${root}.json`), bytes, { durable: this.init.durable })
      this.indexManifest(root, checked)
    }
    return root
  }

  /** The manifest of a content root (hex or CID). */
  getManifest(root: string): Manifest {
    const manifest = this.manifests.get(parseContentRoot(root))
    if (manifest === undefined)
      throw new ManifestNotFoundError(`No manifest for content root ${root} in this store.`)
    return manifest
  }

  /** The manifest if known, else undefined. */
  findManifest(root: string): Manifest | undefined {
    return this.manifests.get(parseContentRoot(root))
  }

  /** True when the manifest and every chunk of the content are present. */
  has(root: string): boolean {
    const manifest = this.findManifest(root)
    if (manifest === undefined) return false
    return manifest.chunks.every((h) => this.present.has(h))
  }

  /** True when this chunk is stored. */
  hasChunk(hash: string): boolean {
    return this.present.has(hash)
  }

  /** Indexes of chunks of the content not yet in the store. */
  missingChunks(root: string): number[] {
    const manifest = this.getManifest(root)
    const missing: number[] = []
    manifest.chunks.forEach((h, i) => {
      if (!this.present.has(h)) missing.push(i)
    })
    return missing
  }

  /**
   * Stores a chunk received from elsewhere after checking that its bytes hash to `hash`; throws
   * ChunkHashMismatchError (and writes nothing) when they do not. The chunk's bytes are fsynced before it
   * takes its name; with `deferDirSync` its directory entry is fsynced only by syncChunkDirs() (a fetch
   * calls it once before it reports done), so a crash before then may lose the chunk, never corrupt it.
   */
  async putChunk(
    hash: string,
    data: readonly Uint8Array[],
    options: { deferDirSync?: boolean } = {},
  ): Promise<void> {
    const hasher = createHash('sha256')
    for (const part of data) hasher.update(part)
    const actual = hasher.digest('hex')
    if (actual !== hash) {
      throw new ChunkHashMismatchError(
        `Chunk bytes hash to ${actual}, not the expected ${hash}; discarded.`,
        {
          details: { expected: hash, actual },
        },
      )
    }
    if (!this.present.has(hash)) await this.writeChunk(hash, data, options.deferDirSync === true)
  }

  /**
   * Like putChunk for bytes that arrive piece by piece: write() them as they come, then commit() checks
   * the hash and stores the chunk (or throws ChunkHashMismatchError), abort() drops it.
   */
  chunkWriter(hash: string, options: { deferDirSync?: boolean } = {}): ChunkWriter {
    if (!HEX64.test(hash)) throw new ChunkHashMismatchError(`Not a chunk hash: ${hash}.`)
    return new ChunkWriter(this.files, hash, options.deferDirSync === true, () => this.present.add(hash))
  }

  /** fsyncs the chunk directories putChunk left unsynced: the chunks written so far now survive a crash. */
  async syncChunkDirs(): Promise<void> {
    await this.files.syncDirs()
  }

  /**
   * Reads a chunk into `buffer` (reused by the caller, e.g. per connection) and returns the filled part;
   * a chunk larger than `buffer` gets a buffer of its own. Same checks as readChunk.
   */
  async readChunkInto(hash: string, buffer: Buffer): Promise<Buffer> {
    if (!HEX64.test(hash) || !this.present.has(hash))
      throw new ChunkNotFoundError(`No chunk ${hash} in this store.`)
    const data = await this.files.readInto(hash, buffer)
    if (this.init.verifyOnRead === true) this.verifyRead(hash, data)
    return data
  }

  /** Reads a chunk; with `verify` (or verifyOnRead) re-hashes it and throws ChunkHashMismatchError on rot. */
  async readChunk(hash: string, options: { verify?: boolean } = {}): Promise<Buffer> {
    if (!HEX64.test(hash) || !this.present.has(hash))
      throw new ChunkNotFoundError(`No chunk ${hash} in this store.`)
    const data = await readFile(this.chunkPath(hash))
    if (options.verify ?? this.init.verifyOnRead === true) this.verifyRead(hash, data)
    return data
  }

  private verifyRead(hash: string, data: Uint8Array): void {
    const actual = createHash('sha256').update(data).digest('hex')
    if (actual !== hash) {
      throw new ChunkHashMismatchError(`Stored chunk ${hash} is corrupt (hashes to ${actual}); re-fetch it.`)
    }
  }

  /**
   * Assembles the content into `destPath` atomically, verifying every chunk; refuses incomplete content.
   * @example await store.export(root, './model.gguf')
   */
  async export(
    root: string,
    destPath: string,
    options: { signal?: AbortSignal; onProgress?: OnProgress<ChunkExportedEvent> } = {},
  ): Promise<{ size: number }> {
    return exportContent(this, root, destPath, options)
  }

  /** Every manifest in the store with its completeness and pin state. */
  ls(): StoredContent[] {
    return [...this.manifests].map(([root, m]) => {
      const missing = m.chunks.filter((h) => !this.present.has(h)).length
      return {
        root,
        cid: contentRootToCid(root),
        name: m.name,
        size: m.size,
        chunkCount: m.chunks.length,
        missingChunks: missing,
        complete: missing === 0,
        pinned: this.pins.has(root),
      }
    })
  }

  /** Keeps the content (and its chunks) through gc. */
  async pin(root: string): Promise<void> {
    const r = parseContentRoot(root)
    this.getManifest(r)
    if (this.pins.has(r)) return
    await writeFileAtomic(join(this.pinDir, r), new Uint8Array(0), { durable: this.init.durable })
    this.pins.add(r)
  }

  /** Lets gc remove the content (chunks shared with pinned content stay). */
  async unpin(root: string): Promise<void> {
    const r = parseContentRoot(root)
    await rm(join(this.pinDir, r), { force: true })
    this.pins.delete(r)
  }

  /** True when the content is pinned. */
  isPinned(root: string): boolean {
    return this.pins.has(parseContentRoot(root))
  }

  /** How many stored manifests reference a chunk. */
  refCount(hash: string): number {
    return this.refs.get(hash) ?? 0
  }

  /** Removes unpinned manifests, then every chunk no remaining manifest references. */
  async gc(): Promise<GcResult> {
    const removedManifests: ContentRoot[] = []
    for (const [root, manifest] of [...this.manifests]) {
      if (this.pins.has(root)) continue
      await rm(join(this.manifestDir, `${root}.json`), { force: true })
      this.manifests.delete(root)
      for (const h of manifest.chunks) this.refs.set(h, (this.refs.get(h) ?? 1) - 1)
      removedManifests.push(root)
    }
    let removedChunks = 0
    let freedBytes = 0
    for (const hash of [...this.present]) {
      if ((this.refs.get(hash) ?? 0) > 0) continue
      const path = this.chunkPath(hash)
      freedBytes += (await stat(path).catch(() => ({ size: 0 }))).size
      await unlink(path).catch(() => undefined)
      this.present.delete(hash)
      this.refs.delete(hash)
      removedChunks++
    }
    return { removedManifests, removedChunks, freedBytes }
  }

  /** Deletes one stored chunk (used when a stored chunk turns out corrupt). */
  async deleteChunk(hash: string): Promise<void> {
    await unlink(this.chunkPath(hash)).catch(() => undefined)
    this.present.delete(hash)
  }

  /** Path of a chunk file (for tests and diagnostics). */
  chunkPath(hash: string): string {
    return this.files.path(hash)
  }

  private indexManifest(root: ContentRoot, manifest: Manifest): void {
    if (this.manifests.has(root)) return
    this.manifests.set(root, manifest)
    for (const h of manifest.chunks) this.refs.set(h, (this.refs.get(h) ?? 0) + 1)
  }

  private async writeChunk(hash: string, data: readonly Uint8Array[], deferDirSync = false): Promise<void> {
    await this.files.write(hash, data, deferDirSync)
    this.present.add(hash)
  }
}
