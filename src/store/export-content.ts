import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { tempPathFor } from '../atomic-file.ts'
import { throwIfAborted } from '../errors.ts'
import type { ContentStore } from './content-store.ts'
import { ChunkHashMismatchError, IncompleteContentError } from './errors.ts'
import { chunkLength } from './manifest.ts'
import type { ChunkExportedEvent, OnProgress } from './progress.ts'

/** Assembles content into `destPath` atomically, verifying every chunk; refuses incomplete content. */
export async function exportContent(
  store: Pick<ContentStore, 'getManifest' | 'missingChunks' | 'readChunk'>,
  root: string,
  destPath: string,
  options: { signal?: AbortSignal; onProgress?: OnProgress<ChunkExportedEvent> } = {},
): Promise<{ size: number }> {
  const manifest = store.getManifest(root)
  const missing = store.missingChunks(root)
  if (missing.length > 0) {
    throw new IncompleteContentError(
      `Content ${root} is missing ${missing.length} of ${manifest.chunks.length} chunks; fetch it first.`,
    )
  }
  await mkdir(dirname(destPath), { recursive: true })
  const tmp = tempPathFor(destPath)
  const fh = await open(tmp, 'w')
  let done = 0
  try {
    for (let i = 0; i < manifest.chunks.length; i++) {
      throwIfAborted(options.signal)
      const data = await store.readChunk(manifest.chunks[i]!, { verify: true })
      if (data.byteLength !== chunkLength(manifest, i)) {
        throw new ChunkHashMismatchError(`Chunk ${i} of ${root} has the wrong length.`)
      }
      await fh.write(data)
      done += data.byteLength
      options.onProgress?.({
        type: 'store:chunk:exported',
        detail: { index: i, bytes: data.byteLength, doneBytes: done, totalBytes: manifest.size },
      })
    }
    await fh.sync()
    await fh.close()
  } catch (err) {
    await fh.close().catch(() => undefined)
    await rm(tmp, { force: true })
    throw err
  }
  await rename(tmp, destPath)
  return { size: done }
}
