import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { silentLogger } from '../../src/log.ts'
import { createContentStore } from '../../src/store/index.ts'
import { BulkChannelClient, BulkChannelServer } from '../../src/store/replication/bulk-channel.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

describe('bulk channel (plain TCP side channel for chunk bodies)', () => {
  it('serves only ticket holders, and only chunks of the ticket content', async () => {
    await using dir = await tmpDir()
    const store = createContentStore({ dir: join(dir.path, 's'), chunkSize: 1024 }, { log: silentLogger })
    await store.start()
    const data = randomBytes(3000)
    await writeFile(join(dir.path, 'a'), data)
    await writeFile(join(dir.path, 'b'), randomBytes(500))
    const a = await store.add(join(dir.path, 'a'))
    const b = await store.add(join(dir.path, 'b'))
    const server = new BulkChannelServer({ store, log: silentLogger }, { host: '127.0.0.1', port: 0 })
    await server.start()
    try {
      const ticket = server.issue('peer-x', a.root)!
      const client = await BulkChannelClient.open('127.0.0.1', ticket.port, ticket.token)
      const parts = await client.fetch(a.manifest.chunks[1]!, 1024)
      assert.deepEqual(Buffer.concat(parts), data.subarray(1024, 2048))
      // a chunk of other content is refused even though the store has it
      await assert.rejects(client.fetch(b.manifest.chunks[0]!, 1024), { name: 'ChunkNotFoundError' })
      // an answer larger than the caller's bound is refused without reading it
      const c2 = await BulkChannelClient.open('127.0.0.1', ticket.port, ticket.token)
      await assert.rejects(c2.fetch(a.manifest.chunks[0]!, 10), RangeError)
      client.close()
      // a forged token gets the connection closed
      const forged = await BulkChannelClient.open(
        '127.0.0.1',
        ticket.port,
        randomBytes(32).toString('base64'),
      )
      await assert.rejects(forged.fetch(a.manifest.chunks[0]!, 1024))
      assert.equal(server.issue('peer-x', 'f'.repeat(64)), undefined, 'no ticket for unknown content')
    } finally {
      await server.stop()
    }
  })
})
