import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ContentStore } from '../store/index.ts'

/** Adds a JSON document to the content store (pinned); returns its content root. */
export async function putJson(store: ContentStore, value: unknown, name: string): Promise<string> {
  return withTempDir(async (dir) => {
    const path = join(dir, name)
    await writeFile(path, `${JSON.stringify(value, null, 2)}\n`)
    return (await store.add(path, { name, mediaType: 'application/json' })).root
  })
}

/** The JSON document of a content root, when the store holds all of it and it is at most maxBytes; else undefined. */
export async function getJson(store: ContentStore, root: string, maxBytes: number): Promise<unknown> {
  if (!/^[0-9a-f]{64}$/.test(root) || !store.has(root) || store.missingChunks(root).length > 0)
    return undefined
  if (store.getManifest(root).size > maxBytes) return undefined
  return withTempDir(async (dir) => {
    const path = join(dir, 'document.json')
    await store.export(root, path)
    try {
      return JSON.parse(await readFile(path, 'utf8')) as unknown
    } catch {
      return undefined
    }
  })
}

/** Runs fn with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'commons-'))
  try {
    return await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
