import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** A temp path beside `path` (same directory, hence same filesystem, so rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
}

/**
 * Writes a file so that a crash leaves either the old or the whole new content, never a prefix: temp
 * file, write, fsync, rename, fsync the directory. `durable: false` skips both fsyncs (caches, tests);
 * `syncDir: false` skips the directory's (the caller fsyncs it later, once for many files: until then a
 * crash may lose the new name, never leave it on partial content).
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
  options: { mode?: number; durable?: boolean; syncDir?: boolean; tmpPath?: string } = {},
): Promise<void> {
  const tmp = options.tmpPath ?? tempPathFor(path)
  const durable = options.durable !== false
  const fh = await open(tmp, 'w', options.mode ?? 0o600)
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data)
    else {
      const total = data.reduce((n, b) => n + b.byteLength, 0)
      const { bytesWritten } = await fh.writev(data as Uint8Array[])
      // writev may write less than asked (like write(2)); finish with the rest
      if (bytesWritten < total) await fh.write(Buffer.concat(data as Uint8Array[]).subarray(bytesWritten))
    }
    if (durable) await fh.sync()
  } catch (err) {
    await fh.close().catch(() => undefined)
    await rm(tmp, { force: true })
    throw err
  }
  await fh.close()
  try {
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  if (durable && options.syncDir !== false) await syncDirectoryOf(path)
}

/** fsyncs the directory holding `path`, so a file just created or renamed there survives a crash. */
export async function syncDirectoryOf(path: string): Promise<void> {
  const dir = await open(dirname(path), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}
