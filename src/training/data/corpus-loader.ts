import { readdir, readFile, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { throwIfAborted } from '../../errors.ts'
import { CORPUS_FILE_EXTENSIONS } from './constants.ts'
import { CorpusNotFoundError } from './errors.ts'
import type { LoadCorpusOptions, TextCorpus } from './index.ts'

const SEPARATOR = new TextEncoder().encode('\n\n')

/**
 * Reads a corpus: a text file, or a folder whose `.txt`/`.md` files (recursively, in sorted path order,
 * so the result is deterministic) are joined with a blank line.
 * @example const corpus = await loadCorpus('data/corpus')
 */
export async function loadCorpus(path: string, options: LoadCorpusOptions = {}): Promise<TextCorpus> {
  const info = await stat(path).catch((cause: unknown) => {
    throw new CorpusNotFoundError(
      `Corpus ${path} does not exist; pass a text file or a folder of .txt/.md files.`,
      { cause },
    )
  })
  const files = info.isDirectory() ? await listTextFiles(path) : [path]
  if (files.length === 0) {
    throw new CorpusNotFoundError(`Corpus folder ${path} holds no ${CORPUS_FILE_EXTENSIONS.join('/')} files.`)
  }
  const parts: Uint8Array[] = []
  for (const file of files) {
    throwIfAborted(options.signal)
    const bytes = new Uint8Array(await readFile(file, { signal: options.signal }))
    if (parts.length > 0) parts.push(SEPARATOR)
    parts.push(bytes)
    options.onProgress?.({ type: 'training:file:read', detail: { path: file, bytes: bytes.length } })
  }
  return { name: path, bytes: concat(parts) }
}

/** The corpus files of a folder, recursively, in sorted path order. */
export async function listTextFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const entries = await readdir(dir, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listTextFiles(full)))
    else if (
      entry.isFile() &&
      (CORPUS_FILE_EXTENSIONS as readonly string[]).includes(extname(entry.name).toLowerCase())
    )
      out.push(full)
  }
  return out
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}
