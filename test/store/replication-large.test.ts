import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { Allowlist } from '../net/fixtures.ts'
import { mesh, sha256File, startStoreNode, writeRandomFile } from './replication-fixtures.ts'

const MiB = 1024 * 1024
const SIZE = Number(process.env.COMMONS_LARGE_TEST_MB ?? 200) * MiB

describe('replication of a 200 MB file across four real nodes', () => {
  it('is fetched by three nodes from one seed, hashes match', async () => {
    await using dir = await tmpDir()
    const allow = new Allowlist()
    const nodes = await Promise.all([0, 1, 2, 3].map((i) => startStoreNode(allow, join(dir.path, `n${i}`))))
    try {
      await mesh(nodes)
      const src = join(dir.path, 'weights.gguf')
      const digest = await writeRandomFile(src, SIZE)
      const { root, manifest } = await nodes[0]!.store.add(src, { name: 'weights.gguf' })
      const first = await nodes[1]!.replicator.fetch(root, { providers: [nodes[0]!.host.peerId] })
      assert.equal(first.fetchedBytes, SIZE)
      const holders = [nodes[0]!.host.peerId, nodes[1]!.host.peerId]
      const rest = await Promise.all(
        nodes.slice(2).map((n) => n.replicator.fetch(root, { providers: holders })),
      )
      for (const r of rest) assert.equal(r.fetchedChunks, manifest.chunks.length)
      await Promise.all(
        nodes.slice(1).map(async (n) => {
          const out = join(n.dir, 'weights.gguf')
          await n.store.export(root, out)
          assert.equal(await sha256File(out), digest)
        }),
      )
    } finally {
      await Promise.all(nodes.map((n) => n.stop()))
    }
  })
})
