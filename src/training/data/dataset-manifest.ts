import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { basename, relative } from 'node:path'
import { listTextFiles } from './corpus-loader.ts'
import { CorpusNotFoundError } from './errors.ts'

/** The manifest of a local dataset: each corpus file's path (relative to the dataset), size and sha-256. */
export interface DatasetManifest {
  /** sha-256 of the canonical manifest JSON: what the DatasetRegistry records (never the data). */
  root: `0x${string}`
  files: { path: string; size: number; sha256: string }[]
}

/**
 * Computes the manifest of a dataset on this node's disk (a text file, or a folder read as loadCorpus reads
 * it); its root identifies the exact data without revealing it.
 * @example const { root } = await datasetManifest('data/corpus')
 */
export async function datasetManifest(path: string): Promise<DatasetManifest> {
  const info = await stat(path).catch((cause: unknown) => {
    throw new CorpusNotFoundError(
      `Dataset ${path} does not exist; pass a text file or a folder of text files.`,
      {
        cause,
      },
    )
  })
  const paths = info.isDirectory() ? await listTextFiles(path) : [path]
  if (paths.length === 0) throw new CorpusNotFoundError(`Dataset folder ${path} holds no text files.`)
  const files = []
  for (const p of paths) {
    const bytes = await readFile(p)
    files.push({
      path: info.isDirectory() ? relative(path, p).split('\\').join('/') : basename(p),
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    })
  }
  const canonical = JSON.stringify({ version: 1, files })
  return { root: `0x${createHash('sha256').update(canonical).digest('hex')}`, files }
}
