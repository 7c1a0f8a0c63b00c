import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { silentLogger } from '../../src/log.ts'
import { createContentStore } from '../../src/store/index.ts'
import {
  contentRootOf,
  contentRootToCid,
  decodeManifest,
  encodeManifest,
  parseContentRoot,
} from '../../src/store/manifest.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

describe('content store', () => {
  it('adds a file in chunks, reports progress, and exports it byte-identical', async () => {
    await using dir = await tmpDir()
    const store = createContentStore(
      { dir: join(dir.path, 'store'), chunkSize: 64 * 1024 },
      { log: silentLogger },
    )
    await store.start()
    const data = randomBytes(64 * 1024 * 5 + 123)
    await writeFile(join(dir.path, 'in.bin'), data)
    const events: number[] = []
    const { root, cid, manifest } = await store.add(join(dir.path, 'in.bin'), {
      name: 'in.bin',
      onProgress: (e) => events.push(e.detail.doneBytes),
    })
    assert.equal(manifest.chunks.length, 6)
    assert.equal(manifest.size, data.byteLength)
    assert.equal(manifest.chunks[0], sha(data.subarray(0, 64 * 1024)))
    assert.equal(events.at(-1), data.byteLength)
    assert.equal(root, contentRootOf(manifest))
    assert.equal(parseContentRoot(cid), root)
    assert.ok(cid.startsWith('b'))
    assert.equal(store.has(root), true)
    assert.deepEqual(store.missingChunks(root), [])
    assert.equal(store.isPinned(root), true)
    await store.export(cid, join(dir.path, 'out.bin'))
    assert.deepEqual(await readFile(join(dir.path, 'out.bin')), data)
    // chunk files live under chunks/ab/abcdef...
    const h = manifest.chunks[0]!
    assert.equal(store.chunkPath(h), join(dir.path, 'store', 'chunks', h.slice(0, 2), h))
  })

  it('handles empty files and re-opens its index from disk', async () => {
    await using dir = await tmpDir()
    const path = join(dir.path, 'store')
    const a = createContentStore({ dir: path, chunkSize: 1024 }, { log: silentLogger })
    await a.start()
    await writeFile(join(dir.path, 'empty'), '')
    await writeFile(join(dir.path, 'small'), 'hello world')
    const empty = await a.add(join(dir.path, 'empty'))
    const small = await a.add(join(dir.path, 'small'))
    assert.equal(empty.manifest.chunks.length, 0)
    const b = createContentStore({ dir: path, chunkSize: 1024 }, { log: silentLogger })
    await b.start()
    assert.equal(b.has(empty.root), true)
    assert.equal(b.has(small.root), true)
    assert.equal(b.ls().length, 2)
    await b.export(empty.root, join(dir.path, 'empty.out'))
    assert.equal((await readFile(join(dir.path, 'empty.out'))).byteLength, 0)
  })

  it('verifies chunks on write and refuses a mismatched one with ChunkHashMismatchError', async () => {
    await using dir = await tmpDir()
    const store = createContentStore({ dir: dir.path }, { log: silentLogger })
    await store.start()
    const good = randomBytes(1000)
    await assert.rejects(store.putChunk(sha(good), [randomBytes(1000)]), { name: 'ChunkHashMismatchError' })
    assert.equal(store.hasChunk(sha(good)), false)
    await store.putChunk(sha(good), [good.subarray(0, 10), good.subarray(10)])
    assert.equal(store.hasChunk(sha(good)), true)
  })

  it('a chunk streamed in takes its name only when its bytes hash right; one cut off is never accepted', async () => {
    await using dir = await tmpDir()
    const store = createContentStore({ dir: dir.path }, { log: silentLogger })
    await store.start()
    const data = randomBytes(300_000)
    const ok = store.chunkWriter(sha(data), { deferDirSync: true })
    for (let off = 0; off < data.byteLength; off += 65_536) ok.write(data.subarray(off, off + 65_536))
    await ok.commit()
    await store.syncChunkDirs()
    assert.deepEqual(await store.readChunk(sha(data), { verify: true }), data)
    // wrong bytes: refused, nothing stored, no temp file left
    const other = randomBytes(1000)
    const bad = store.chunkWriter(sha(other))
    bad.write(randomBytes(1000))
    await assert.rejects(bad.commit(), { name: 'ChunkHashMismatchError' })
    await bad.abort()
    assert.equal(store.hasChunk(sha(other)), false)
    const prefixDir = join(dir.path, 'chunks', sha(other).slice(0, 2))
    assert.deepEqual(
      (await readdir(prefixDir).catch(() => [])).filter((n) => n.endsWith('.tmp')),
      [],
    )
    // a transfer cut off mid-chunk (a crash): after a restart the chunk is missing, not half there
    const cut = store.chunkWriter(sha(other))
    cut.write(other.subarray(0, 500))
    await new Promise((r) => setTimeout(r, 50))
    const reopened = createContentStore({ dir: dir.path }, { log: silentLogger })
    await reopened.start()
    assert.equal(reopened.hasChunk(sha(other)), false)
    assert.equal(reopened.hasChunk(sha(data)), true)
    await cut.abort()
    // more than 1 MiB waiting for the disk asks the source to pause until it is written
    const big = randomBytes(2 * 1024 * 1024)
    const slow = store.chunkWriter(sha(big))
    const pause = slow.write(big)
    assert.ok(pause instanceof Promise, 'a 2 MiB backlog returns a promise to wait on')
    await pause
    assert.equal(slow.write(new Uint8Array(0)), undefined, 'nothing waits once written')
    await slow.commit()
    assert.equal(store.hasChunk(sha(big)), true)
  })

  it('tracks missing chunks and refuses to export incomplete content', async () => {
    await using dir = await tmpDir()
    const store = createContentStore({ dir: dir.path }, { log: silentLogger })
    await store.start()
    const c0 = randomBytes(100)
    const c1 = randomBytes(50)
    const root = await store.putManifest({
      version: 1,
      chunkSize: 100,
      size: 150,
      chunks: [sha(c0), sha(c1)],
    })
    assert.deepEqual(store.missingChunks(root), [0, 1])
    await store.putChunk(sha(c1), [c1])
    assert.deepEqual(store.missingChunks(root), [0])
    assert.equal(store.has(root), false)
    await assert.rejects(store.export(root, join(dir.path, 'x')), { name: 'IncompleteContentError' })
    assert.deepEqual(await readdir(dir.path).then((n) => n.includes('x')), false)
  })

  it('export detects a chunk corrupted on disk and leaves no partial file', async () => {
    await using dir = await tmpDir()
    const store = createContentStore({ dir: join(dir.path, 's'), chunkSize: 1024 }, { log: silentLogger })
    await store.start()
    await writeFile(join(dir.path, 'f'), randomBytes(4000))
    const { root, manifest } = await store.add(join(dir.path, 'f'))
    await writeFile(store.chunkPath(manifest.chunks[2]!), randomBytes(1024))
    await assert.rejects(store.export(root, join(dir.path, 'out', 'f')), { name: 'ChunkHashMismatchError' })
    assert.deepEqual(await readdir(join(dir.path, 'out')), [])
  })

  it('reference-counts chunks; gc removes only chunks of unpinned content', async () => {
    await using dir = await tmpDir()
    const store = createContentStore({ dir: join(dir.path, 's'), chunkSize: 1024 }, { log: silentLogger })
    await store.start()
    const shared = randomBytes(1024)
    await writeFile(join(dir.path, 'a'), Buffer.concat([shared, randomBytes(1024)]))
    await writeFile(join(dir.path, 'b'), Buffer.concat([shared, randomBytes(500)]))
    const a = await store.add(join(dir.path, 'a'))
    const b = await store.add(join(dir.path, 'b'))
    assert.equal(store.refCount(sha(shared)), 2)
    await store.unpin(a.root)
    const result = await store.gc()
    assert.deepEqual(result.removedManifests, [a.root])
    assert.equal(result.removedChunks, 1)
    assert.equal(result.freedBytes, 1024)
    assert.equal(store.hasChunk(sha(shared)), true)
    assert.equal(store.has(b.root), true)
    assert.equal(store.findManifest(a.root), undefined)
  })

  it('manifest encoding is canonical and validated; CIDs round-trip', () => {
    const m = {
      version: 1 as const,
      chunkSize: 4,
      size: 5,
      chunks: ['a'.repeat(64), 'b'.repeat(64)],
      name: 'x',
    }
    const bytes = encodeManifest(m)
    assert.equal(
      Buffer.from(bytes).toString(),
      `{"chunkSize":4,"chunks":["${'a'.repeat(64)}","${'b'.repeat(64)}"],"name":"x","size":5,"version":1}`,
    )
    const root = contentRootOf(m)
    assert.equal(root, sha(bytes))
    assert.deepEqual(decodeManifest(bytes, root), m)
    assert.throws(() => decodeManifest(bytes, 'c'.repeat(64)), { name: 'InvalidManifestError' })
    assert.throws(() => decodeManifest(Buffer.from('{"version":1,"chunkSize":4,"size":50,"chunks":[]}')), {
      name: 'InvalidManifestError',
    })
    assert.equal(parseContentRoot(contentRootToCid(root)), root)
    assert.throws(() => parseContentRoot('nope'), { name: 'InvalidContentRootError' })
  })
})
