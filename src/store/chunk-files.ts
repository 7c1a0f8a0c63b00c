import { mkdir, open } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { syncDirectoryOf, writeFileAtomic } from '../atomic-file.ts'
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
    private readonly durable: boolean,
  ) {}

  /** Path of a chunk file. */
  path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash)
  }

  /** Writes a chunk file atomically; with `deferDirSync` its directory is fsynced by syncDirs(). */
  async write(hash: string, data: readonly Uint8Array[], deferDirSync: boolean): Promise<void> {
    const path = this.path(hash)
    const dir = dirname(path)
    const write = () => writeFileAtomic(path, data, { durable: this.durable, syncDir: !deferDirSync })
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true })
      this.madeDirs.add(dir)
    }
    try {
      await write()
    } catch (err) {
      // the directory went away under us (removed by hand): make it again, once
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      await mkdir(dir, { recursive: true })
      await write()
    }
    if (this.durable && deferDirSync) this.unsyncedDirs.add(dir)
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
