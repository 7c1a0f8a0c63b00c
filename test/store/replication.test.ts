import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { Allowlist } from '../net/fixtures.ts'
import { mesh, sha256File, startStoreNode, writeRandomFile } from './replication-fixtures.ts'

const MiB = 1024 * 1024

describe('chunk replication between real libp2p nodes', () => {
  it('a file added on one node is fetched by three others, hashes match', async () => {
    await using dir = await tmpDir()
    const allow = new Allowlist()
    const nodes = await Promise.all(
      [0, 1, 2, 3].map((i) => startStoreNode(allow, join(dir.path, `n${i}`), { chunkSize: MiB })),
    )
    try {
      await mesh(nodes)
      const src = join(dir.path, 'model.bin')
      const digest = await writeRandomFile(src, 24 * MiB + 12345)
      const { root, cid } = await nodes[0]!.store.add(src, { name: 'model.bin' })
      // first fetcher gets it from node 0; the others from everyone who has it (multi-source)
      const r1 = await nodes[1]!.replicator.fetch(cid, { providers: [nodes[0]!.host.peerId] })
      assert.equal(r1.fetchedChunks, 25)
      assert.equal(r1.bulkChunks, 25, 'chunk bodies took the bulk channel by default')
      const events: number[] = []
      const [r2, r3] = await Promise.all([
        nodes[2]!.replicator.fetch(root, {
          providers: [nodes[0]!.host.peerId, nodes[1]!.host.peerId],
          onProgress: (e) => {
            assert.equal(e.type, 'store:chunk:verified')
            assert.ok(e.detail.rate > 0)
            events.push(e.detail.doneBytes)
          },
        }),
        nodes[3]!.replicator.fetch(root, {
          providers: [nodes[0]!.host.peerId, nodes[1]!.host.peerId],
          transport: 'libp2p',
        }),
      ])
      assert.equal(events.length, 25)
      assert.equal(events.at(-1), 24 * MiB + 12345)
      assert.equal(Object.keys(r2.byPeer).length, 2, 'chunks came from both holders')
      assert.equal(r3.fetchedChunks, 25)
      assert.equal(r3.bulkChunks, 0, 'transport libp2p keeps every byte on the encrypted stream')
      for (const n of nodes.slice(1)) {
        assert.equal(n.store.has(root), true)
        const out = join(n.dir, 'out.bin')
        await n.store.export(root, out)
        assert.equal(await sha256File(out), digest)
      }
      // fetching again fetches nothing
      const again = await nodes[3]!.replicator.fetch(root, { providers: [nodes[0]!.host.peerId] })
      assert.equal(again.fetchedChunks, 0)
      assert.equal(again.reusedChunks, 25)
    } finally {
      await Promise.all(nodes.map((n) => n.stop()))
    }
  })

  it('a peer serving corrupted chunks is reported and dropped; the fetch completes from honest peers', async () => {
    await using dir = await tmpDir()
    const allow = new Allowlist()
    const [honest, liar, fetcher] = await Promise.all(
      [0, 1, 2].map((i) => startStoreNode(allow, join(dir.path, `n${i}`), { chunkSize: MiB })),
    )
    try {
      await mesh([honest!, liar!, fetcher!])
      const src = join(dir.path, 'f.bin')
      await writeRandomFile(src, 16 * MiB)
      const { root, manifest } = await honest!.store.add(src)
      await liar!.replicator.fetch(root, { providers: [honest!.host.peerId] })
      // the liar's disk rots: every chunk it serves is garbage of the right length
      for (const h of manifest.chunks) await writeFile(liar!.store.chunkPath(h), Buffer.alloc(MiB, 7))
      const reported: string[] = []
      const result = await fetcher!.replicator.fetch(root, {
        providers: [liar!.host.peerId, honest!.host.peerId],
        onPeerMisbehaved: (m) => {
          assert.equal(m.reason, 'bad-chunk')
          reported.push(m.peerId)
        },
      })
      assert.deepEqual(reported, [liar!.host.peerId])
      assert.deepEqual(result.misbehaving, [liar!.host.peerId])
      assert.equal(fetcher!.store.has(root), true)
      const bad = new Set([createHash('sha256').update(Buffer.alloc(MiB, 7)).digest('hex')])
      for (const h of manifest.chunks) assert.equal(bad.has(h), false)
      // every stored chunk verifies (the bad bytes never reached the store)
      for (const h of manifest.chunks) await fetcher!.store.readChunk(h, { verify: true })
    } finally {
      await Promise.all([honest, liar, fetcher].map((n) => n!.stop()))
    }
  })

  it('resumes after the fetcher is killed mid-transfer without re-fetching verified chunks', async () => {
    await using dir = await tmpDir()
    const allow = new Allowlist()
    const source = await startStoreNode(allow, join(dir.path, 'src'), { chunkSize: MiB })
    let fetcher = await startStoreNode(allow, join(dir.path, 'dst'), { chunkSize: MiB })
    try {
      const src = join(dir.path, 'f.bin')
      const digest = await writeRandomFile(src, 40 * MiB)
      const { root } = await source.store.add(src)
      await fetcher.host.connect(source.host.multiaddrs()[0]!)
      const ctl = new AbortController()
      let before = 0
      await assert.rejects(
        fetcher.replicator.fetch(root, {
          providers: [source.host.peerId],
          signal: ctl.signal,
          streamsPerPeer: 2,
          onProgress: () => {
            before++
            if (before === 10) ctl.abort()
          },
        }),
        { name: 'AbortedError' },
      )
      await fetcher.stop()
      // a new host on the same store dir (same key)
      fetcher = await startStoreNode(allow, join(dir.path, 'dst'), {
        chunkSize: MiB,
        privateKey: fetcher.privateKey,
      })
      const stored = 40 - fetcher.store.missingChunks(root).length
      assert.ok(stored >= 10, `at least the 10 verified chunks survived (${stored})`)
      await fetcher.host.connect(source.host.multiaddrs()[0]!)
      const result = await fetcher.replicator.fetch(root, { providers: [source.host.peerId] })
      assert.equal(result.reusedChunks, stored)
      assert.equal(result.fetchedChunks, 40 - stored)
      await fetcher.store.export(root, join(dir.path, 'out.bin'))
      assert.equal(await sha256File(join(dir.path, 'out.bin')), digest)
    } finally {
      await source.stop()
      await fetcher.stop()
    }
  })

  it('fails with NoProvidersError when the only source dies mid-fetch, completes once another holder appears', async () => {
    await using dir = await tmpDir()
    const allow = new Allowlist()
    const source = await startStoreNode(allow, join(dir.path, 'src'), { chunkSize: MiB })
    const fetcher = await startStoreNode(allow, join(dir.path, 'dst'), { chunkSize: MiB })
    let other: Awaited<ReturnType<typeof startStoreNode>> | undefined
    try {
      const src = join(dir.path, 'f.bin')
      const digest = await writeRandomFile(src, 40 * MiB)
      const { root } = await source.store.add(src)
      await fetcher.host.connect(source.host.multiaddrs()[0]!)
      let n = 0
      await assert.rejects(
        fetcher.replicator.fetch(root, {
          providers: [source.host.peerId],
          streamsPerPeer: 2,
          onProgress: () => {
            if (++n === 5) void source.stop()
          },
        }),
        (err: Error & { details?: { missingChunks?: number } }) => {
          assert.equal(err.name, 'NoProvidersError')
          assert.ok((err.details?.missingChunks ?? 0) > 0)
          return true
        },
      )
      assert.equal(fetcher.store.has(root), false)
      // another holder appears (a copy of the same file added elsewhere)
      other = await startStoreNode(allow, join(dir.path, 'other'), { chunkSize: MiB })
      await other.store.add(src)
      await fetcher.host.connect(other.host.multiaddrs()[0]!)
      const result = await fetcher.replicator.fetch(root, {
        providers: [source.host.peerId, other.host.peerId],
      })
      assert.ok(result.reusedChunks >= 5)
      await fetcher.store.export(root, join(dir.path, 'out.bin'))
      assert.equal(await sha256File(join(dir.path, 'out.bin')), digest)
    } finally {
      await fetcher.stop()
      await other?.stop()
      await source.stop().catch(() => undefined)
    }
  })

  it('an unregistered node cannot fetch', async () => {
    await using dir = await tmpDir()
    const allow = new Allowlist()
    const source = await startStoreNode(allow, join(dir.path, 'src'), { chunkSize: MiB })
    const strangerAllow = new Allowlist()
    const stranger = await startStoreNode(strangerAllow, join(dir.path, 'x'), { chunkSize: MiB })
    strangerAllow.add(source.host)
    try {
      await writeFile(join(dir.path, 'f'), 'secret weights')
      const { root } = await source.store.add(join(dir.path, 'f'))
      await assert.rejects(stranger.host.connect(source.host.multiaddrs()[0]!), {
        name: 'PeerNotAdmittedError',
      })
      await assert.rejects(stranger.replicator.fetch(root, { providers: [source.host.peerId] }), {
        name: 'NoProvidersError',
      })
      assert.equal(stranger.store.findManifest(root), undefined)
    } finally {
      await source.stop()
      await stranger.stop()
    }
  })
})
