import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { pino } from 'pino'
import { silentLogger } from '../../src/log.ts'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import { encodeJsonFrame, FrameReader, writeRaw } from '../../src/net/frames.ts'
import { MAX_MANIFEST_BYTES } from '../../src/store/constants.ts'
import { createContentStore, type Manifest } from '../../src/store/index.ts'
import { decodeManifest, encodeManifest } from '../../src/store/manifest.ts'
import type { Misbehaviour } from '../../src/store/replication/chunk-fetcher.ts'
import { CHUNKS_PROTOCOL } from '../../src/store/replication/protocol.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { Allowlist, startHost } from '../net/fixtures.ts'
import { startStoreNode } from './replication-fixtures.ts'

/** A valid manifest whose canonical encoding is at least `minBytes` long (one-byte chunks). */
function manifestOfAtLeast(minBytes: number): Manifest {
  // Each chunk adds `"<64 hex>",` (67 bytes) to the canonical JSON.
  let n = Math.floor(minBytes / 67)
  const make = (count: number): Manifest => ({
    version: 1,
    chunkSize: 1,
    size: count,
    chunks: Array.from({ length: count }, (_, i) => i.toString(16).padStart(64, '0')),
  })
  while (encodeManifest(make(n)).byteLength <= minBytes) n++
  return make(n)
}

const LIMIT = new RegExp(`over the ${MAX_MANIFEST_BYTES}-byte limit`)

/** A peer that answers the first chunk-protocol request with `answer` (however large). */
async function peerAnswering(allow: Allowlist, answer: unknown): Promise<CommonsHost> {
  const host = await startHost(allow)
  allow.add(host)
  await host.handle(CHUNKS_PROTOCOL, async (stream) => {
    const reader = new FrameReader(stream, 4096)
    await reader.next()
    await writeRaw(stream, encodeJsonFrame(answer))
  })
  return host
}

describe('the manifest size limit (MAX_MANIFEST_BYTES) is enforced', () => {
  const over = manifestOfAtLeast(MAX_MANIFEST_BYTES)
  const overBytes = encodeManifest(over)

  it('refuses a manifest over the limit when decoding and when storing it, naming the limit', async () => {
    assert.ok(overBytes.byteLength > MAX_MANIFEST_BYTES)
    assert.throws(() => decodeManifest(overBytes), { name: 'InvalidManifestError', message: LIMIT })
    await using dir = await tmpDir()
    const store = createContentStore({ dir: dir.path }, { log: silentLogger })
    await store.start()
    await assert.rejects(store.putManifest(over), { name: 'InvalidManifestError', message: LIMIT })
  })

  it('refuses a manifest over the limit found on disk', async () => {
    await using dir = await tmpDir()
    const root = createHash('sha256').update(overBytes).digest('hex')
    await mkdir(join(dir.path, 'manifests'), { recursive: true })
    await writeFile(join(dir.path, 'manifests', `${root}.json`), overBytes)
    const warnings: { err: { type: string; message: string } }[] = []
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) })
    const store = createContentStore({ dir: dir.path }, { log })
    await store.start()
    assert.equal(store.findManifest(root), undefined)
    assert.equal(store.ls().length, 0)
    assert.equal(warnings[0]?.err.type, 'InvalidManifestError')
    assert.match(warnings[0]?.err.message ?? '', LIMIT)
  })

  for (const [what, manifest] of [
    ['just over the limit', over],
    ['far over the frame limit', manifestOfAtLeast(MAX_MANIFEST_BYTES + 64 * 1024)],
  ] as const) {
    it(`refuses a manifest ${what} from a peer and reports the peer`, async () => {
      await using dir = await tmpDir()
      const allow = new Allowlist()
      const liar = await peerAnswering(allow, { type: 'manifest', manifest })
      const fetcher = await startStoreNode(allow, join(dir.path, 'f'))
      try {
        await fetcher.host.connect(liar.multiaddrs()[0]!)
        const reported: Misbehaviour[] = []
        const root = createHash('sha256').update(encodeManifest(manifest)).digest('hex')
        await assert.rejects(
          fetcher.replicator.fetch(root, {
            providers: [liar.peerId],
            onPeerMisbehaved: (m) => reported.push(m),
          }),
          { name: 'NoProvidersError' },
        )
        assert.equal(reported.length, 1)
        assert.equal(reported[0]!.reason, 'bad-manifest')
        assert.equal(reported[0]!.error.name, 'InvalidManifestError')
        assert.match(reported[0]!.error.message, LIMIT)
        assert.equal(fetcher.store.findManifest(root), undefined)
      } finally {
        await fetcher.stop()
        await liar.stop()
      }
    })
  }
})
