import { createHash } from 'node:crypto'
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { syncDirectoryOf, tempPathFor, writeFileAtomic } from '../atomic-file.ts'
import { ChunkHashMismatchError } from './errors.ts'

/**
 * The chunk files of a store, `chunks/ab/<sha256>`: written atomically (bytes fsynced before the name,
 * the directory entry fsynced at once or later in a batch), read into a caller's buffer.
 */
export class ChunkFiles {
  /** Chunk directories known to exist (saves a mkdir per chunk). */
  private readonly madeDirs = new Set<string>()
  /** Chunk directories with entries renamed in but not yet fsynced (`deferDirSync`). */
  private readonly unsyncedDirs = new Set<string>()

  constructor(
    private readonly dir: string,
    readonly durable: boolean,
  ) {}

  /** Path of a chunk file. */
  path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash)
  }

  /** Writes a chunk file atomically; with `deferDirSync` its directory is fsynced by syncDirs(). */
  async write(hash: string, data: readonly Uint8Array[], deferDirSync: boolean): Promise<void> {
    const path = this.path(hash)
    await this.ensureDir(hash)
    const write = () => writeFileAtomic(path, data, { durable: this.durable, syncDir: false })
    try {
      await write()
    } catch (err) {
      // the directory went away under us (removed by hand): make it again, once
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      this.madeDirs.delete(dirname(path))
      await this.ensureDir(hash)
      await write()
    }
    await this.renamedIn(hash, deferDirSync)
  }

  /** Makes the chunk's directory unless known to exist. */
  async ensureDir(hash: string): Promise<void> {
    const dir = dirname(this.path(hash))
    if (this.madeDirs.has(dir)) return
    await mkdir(dir, { recursive: true })
    this.madeDirs.add(dir)
  }

  /** After a chunk file took its name: fsyncs its directory now, or notes it for syncDirs(). */
  async renamedIn(hash: string, deferDirSync: boolean): Promise<void> {
    if (!this.durable) return
    const path = this.path(hash)
    if (deferDirSync) this.unsyncedDirs.add(dirname(path))
    else await syncDirectoryOf(path)
  }

  /** fsyncs the directories write() left unsynced: the chunks written so far now survive a crash. */
  async syncDirs(): Promise<void> {
    const dirs = [...this.unsyncedDirs]
    this.unsyncedDirs.clear()
    try {
      await Promise.all(dirs.map((dir) => syncDirectoryOf(join(dir, '.'))))
    } catch (err) {
      for (const dir of dirs) this.unsyncedDirs.add(dir)
      throw err
    }
  }

  /** Reads a chunk file into `buffer` when it fits (else into a buffer of its own); the filled part. */
  async readInto(hash: string, buffer: Buffer): Promise<Buffer> {
    const fh = await open(this.path(hash), 'r')
    try {
      const { size } = await fh.stat()
      const data = size <= buffer.byteLength ? buffer.subarray(0, size) : Buffer.allocUnsafe(size)
      for (let filled = 0; filled < size; ) {
        const { bytesRead } = await fh.read(data, filled, size - filled, filled)
        if (bytesRead === 0) {
          throw new ChunkHashMismatchError(`Stored chunk ${hash} shrank while being read; re-fetch it.`)
        }
        filled += bytesRead
      }
      return data
    } finally {
      await fh.close()
    }
  }
}

/** Bytes a ChunkWriter lets wait for the disk before it asks its source to pause. */
export const WRITER_QUEUE_BYTES = 1024 * 1024

/**
 * A chunk written as its bytes arrive: into a temp file, hashed on the way; commit() gives it its name
 * only when the bytes hash to the chunk's hash (fsynced first when durable), abort() removes it. Nothing
 * holds the chunk in memory, and a crash at any point leaves at most a temp file, removed at start.
 */
export class ChunkWriter {
  private readonly hasher = createHash('sha256')
  private readonly tmp: string
  private readonly opened: Promise<FileHandle>
  private queue: Promise<void> = Promise.resolve()
  private failure: Error | undefined
  private bytes = 0
  /** Bytes handed to write() and not yet on disk. */
  private queued = 0

  constructor(
    private readonly files: ChunkFiles,
    readonly hash: string,
    private readonly deferDirSync: boolean,
    /** Called once the chunk has its name (the store marks it present). */
    private readonly onStored: () => void,
  ) {
    this.tmp = tempPathFor(files.path(hash))
    this.opened = files.ensureDir(hash).then(() => open(this.tmp, 'w', 0o600))
    this.opened.catch((err: Error) => {
      this.failure ??= err
    })
  }

  /**
   * Appends bytes (written in order in the background; the piece must not change until commit/abort).
   * Returns a promise when more than WRITER_QUEUE_BYTES wait for the disk: the caller should pause its
   * source until it resolves, so received bytes do not pile up in memory.
   */
  write(piece: Uint8Array): Promise<void> | undefined {
    this.hasher.update(piece)
    const at = this.bytes
    this.bytes += piece.byteLength
    this.queued += piece.byteLength
    this.queue = this.queue.then(async () => {
      try {
        if (this.failure !== undefined) return
        const fh = await this.opened
        for (let off = 0; off < piece.byteLength; ) {
          off += (await fh.write(piece, off, piece.byteLength - off, at + off)).bytesWritten
        }
      } catch (err) {
        this.failure ??= err as Error
      } finally {
        this.queued -= piece.byteLength
      }
    })
    return this.queued > WRITER_QUEUE_BYTES ? this.queue : undefined
  }

  /** Checks the hash, then makes the file the chunk; throws ChunkHashMismatchError if not (then abort()). */
  async commit(): Promise<void> {
    await this.queue
    const actual = this.hasher.digest('hex')
    if (this.failure !== undefined) throw this.failure
    if (actual !== this.hash) {
      throw new ChunkHashMismatchError(
        `Chunk bytes hash to ${actual}, not the expected ${this.hash}; discarded.`,
        {
          details: { expected: this.hash, actual },
        },
      )
    }
    const fh = await this.opened
    if (this.files.durable) await fh.sync()
    await fh.close()
    await rename(this.tmp, this.files.path(this.hash))
    await this.files.renamedIn(this.hash, this.deferDirSync)
    this.onStored()
  }

  /** Removes the temp file (after a failed transfer or commit). */
  async abort(): Promise<void> {
    await this.queue
    await this.opened.then((fh) => fh.close()).catch(() => undefined)
    await rm(this.tmp, { force: true })
  }
}
