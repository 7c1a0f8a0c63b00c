import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { silentLogger } from '../../src/log.ts'
import { BULK_TICKETS_PER_PEER } from '../../src/store/constants.ts'
import { createContentStore } from '../../src/store/index.ts'
import { BulkChannelServer } from '../../src/store/replication/bulk-channel.ts'
import { BulkChannelClient } from '../../src/store/replication/bulk-client.ts'
import { ChunkSession } from '../../src/store/replication/chunk-session.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { Allowlist } from '../net/fixtures.ts'
import { startStoreNode, writeRandomFile } from './replication-fixtures.ts'

const MiB = 1024 * 1024

type Store = ReturnType<typeof createContentStore>

async function storeWith(dir: string, files: Record<string, Buffer>, chunkSize = 1024) {
  const store = createContentStore({ dir: join(dir, 's'), chunkSize }, { log: silentLogger })
  await store.start()
  const added: Record<string, Awaited<ReturnType<Store['add']>>> = {}
  for (const [name, data] of Object.entries(files)) {
    await writeFile(join(dir, name), data)
    added[name] = await store.add(join(dir, name))
  }
  return { store, added }
}

function keyOf(t: { ticket: string; key: string }): { id: string; key: Buffer } {
  return { id: t.ticket, key: Buffer.from(t.key, 'base64') }
}

/** A TCP proxy in the middle: records every byte both ways; `tamper` may alter server->client bytes. */
async function startProxy(
  target: number,
  tamper?: (chunk: Buffer, offset: number) => Buffer,
): Promise<{ port: number; seen: Buffer[]; close(): Promise<void> }> {
  const seen: Buffer[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = tcpConnect({ host: '127.0.0.1', port: target })
    sockets.add(client).add(upstream)
    let offset = 0
    client.on('data', (b: Buffer) => {
      seen.push(Buffer.from(b))
      upstream.write(b)
    })
    upstream.on('data', (b: Buffer) => {
      seen.push(Buffer.from(b))
      const out = tamper === undefined ? b : tamper(Buffer.from(b), offset)
      offset += b.byteLength
      client.write(out)
    })
    const end = (): void => {
      client.destroy()
      upstream.destroy()
    }
    for (const s of [client, upstream]) s.on('close', end).on('error', end)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    seen,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

describe('bulk channel (encrypted TCP side channel for chunk bodies)', () => {
  it('serves only ticket holders, and only chunks of the ticket content', async () => {
    await using dir = await tmpDir()
    const data = randomBytes(3000)
    const { store, added } = await storeWith(dir.path, { a: data, b: randomBytes(500) })
    const a = added.a!
    const b = added.b!
    const server = new BulkChannelServer({ store, log: silentLogger }, { host: '127.0.0.1', port: 0 })
    await server.start()
    try {
      const ticket = server.issue('peer-x', a.root)!
      const client = await BulkChannelClient.open('127.0.0.1', ticket.port, keyOf(ticket), 'peer-x')
      const parts = await client.fetch(a.manifest.chunks[1]!, 1024)
      assert.deepEqual(Buffer.concat(parts), data.subarray(1024, 2048))
      // a chunk of other content is refused even though the store has it
      await assert.rejects(client.fetch(b.manifest.chunks[0]!, 1024), { name: 'ChunkNotFoundError' })
      client.close()
      // an answer larger than the caller's bound is refused without reading it
      const t2 = server.issue('peer-x', a.root)!
      const c2 = await BulkChannelClient.open('127.0.0.1', t2.port, keyOf(t2), 'peer-x')
      await assert.rejects(c2.fetch(a.manifest.chunks[0]!, 10), RangeError)
      // a forged ticket gets the connection closed
      const forged = await BulkChannelClient.open(
        '127.0.0.1',
        ticket.port,
        { id: randomBytes(16).toString('hex'), key: randomBytes(32) },
        'peer-x',
      )
      await assert.rejects(forged.fetch(a.manifest.chunks[0]!, 1024))
      assert.equal(server.issue('peer-x', 'f'.repeat(64)), undefined, 'no ticket for unknown content')
    } finally {
      await server.stop()
      await store.stop()
    }
  })

  it('attack: 20,000 ticket requests from one peer keep at most BULK_TICKETS_PER_PEER alive, in linear time', async () => {
    await using dir = await tmpDir()
    // a manifest of 1024 chunks: the old server copied its chunk list into every ticket
    const { store, added } = await storeWith(dir.path, { a: randomBytes(MiB) }, 1024)
    const server = new BulkChannelServer({ store, log: silentLogger }, { host: '127.0.0.1', port: 0 })
    await server.start()
    try {
      const root = added.a!.root
      const heapBefore = process.memoryUsage().heapUsed
      const halves: number[] = []
      for (let half = 0; half < 2; half++) {
        const t0 = performance.now()
        for (let i = 0; i < 10_000; i++) assert.ok(server.issue('attacker', root))
        halves.push(performance.now() - t0)
      }
      assert.equal(server.tickets.size('attacker'), BULK_TICKETS_PER_PEER)
      assert.equal(server.tickets.size(), BULK_TICKETS_PER_PEER)
      // linear: the second 10,000 cost about what the first did (quadratic would be ~3x)
      assert.ok(halves[1]! < 2.5 * halves[0]! + 50, `halves took ${halves.map((h) => h.toFixed(0))} ms`)
      const grown = process.memoryUsage().heapUsed - heapBefore
      assert.ok(grown < 64 * MiB, `heap grew ${(grown / MiB).toFixed(0)} MiB`)
      // the victim's tickets are untouched by the attacker's flood
      const mine = server.issue('victim', root)!
      for (let i = 0; i < 1000; i++) server.issue('attacker', root)
      const c = await BulkChannelClient.open('127.0.0.1', mine.port, keyOf(mine), 'victim')
      assert.equal(Buffer.concat(await c.fetch(added.a!.manifest.chunks[0]!, 1024)).byteLength, 1024)
      c.close()
    } finally {
      await server.stop()
      await store.stop()
    }
  })

  it('attack: 20,000 ticket requests over a real libp2p stream leave a bounded ticket book', async () => {
    await using dir = await tmpDir()
    const allow = new Allowlist()
    const [a, b] = await Promise.all(
      ['a', 'b'].map((n) => startStoreNode(allow, join(dir.path, n), { chunkSize: 4096 })),
    )
    try {
      await b!.host.connect(a!.host.multiaddrs()[0]!)
      await writeRandomFile(join(dir.path, 'f'), MiB)
      const { root } = await a!.store.add(join(dir.path, 'f'))
      const session = await ChunkSession.open(b!.host, a!.host.peerId, undefined)
      const opts = { signal: undefined, timeoutMs: 10_000 }
      const halves: number[] = []
      for (let half = 0; half < 2; half++) {
        const t0 = performance.now()
        for (let i = 0; i < 10_000; i++) assert.ok(await session.bulkTicket(root, '127.0.0.1', opts))
        halves.push(performance.now() - t0)
      }
      session.close()
      const book = a!.replicator.bulkChannel!.tickets
      assert.equal(book.size(b!.host.peerId), BULK_TICKETS_PER_PEER)
      assert.ok(book.size() <= BULK_TICKETS_PER_PEER)
      assert.ok(halves[1]! < 2 * halves[0]! + 500, `halves took ${halves.map((h) => h.toFixed(0))} ms`)
    } finally {
      await Promise.all([a!.stop(), b!.stop()])
    }
  })

  it('attack: a used ticket is refused, also when its hello is replayed byte for byte', async () => {
    await using dir = await tmpDir()
    const { store, added } = await storeWith(dir.path, { a: randomBytes(3000) })
    const server = new BulkChannelServer({ store, log: silentLogger }, { host: '127.0.0.1', port: 0 })
    await server.start()
    const proxy = await startProxy(server.port!)
    try {
      const hash = added.a!.manifest.chunks[0]!
      const t = server.issue('peer-x', added.a!.root)!
      const first = await BulkChannelClient.open('127.0.0.1', proxy.port, keyOf(t), 'peer-x')
      assert.equal(Buffer.concat(await first.fetch(hash, 1024)).byteLength, 1024)
      first.close()
      const again = await BulkChannelClient.open('127.0.0.1', server.port!, keyOf(t), 'peer-x')
      await assert.rejects(again.fetch(hash, 1024), 'the same ticket opens no second connection')
      // replay what the client sent (hello + request) on a fresh connection
      const clientBytes = Buffer.concat(proxy.seen.slice(0, 2))
      const replay = tcpConnect({ host: '127.0.0.1', port: server.port! })
      const got: Buffer[] = []
      replay.on('data', (d: Buffer) => got.push(d))
      replay.write(clientBytes)
      await new Promise((r) => replay.on('close', r))
      assert.equal(Buffer.concat(got).byteLength, 0, 'replayed hello got no answer')
    } finally {
      await proxy.close()
      await server.stop()
      await store.stop()
    }
  })

  it('attack: a ticket presented by another peer, or from another address, is refused', async () => {
    await using dir = await tmpDir()
    const { store, added } = await storeWith(dir.path, { a: randomBytes(3000) })
    const server = new BulkChannelServer({ store, log: silentLogger }, { host: '127.0.0.1', port: 0 })
    await server.start()
    try {
      const hash = added.a!.manifest.chunks[0]!
      const t = server.issue('peer-a', added.a!.root, '127.0.0.1')!
      const thief = await BulkChannelClient.open('127.0.0.1', t.port, keyOf(t), 'peer-b')
      await assert.rejects(thief.fetch(hash, 1024), 'peer-b cannot use peer-a ticket')
      // issued on a libp2p connection from 10.9.9.9: a TCP connection from elsewhere is refused
      const far = server.issue('peer-a', added.a!.root, '10.9.9.9')!
      const wrongPath = await BulkChannelClient.open('127.0.0.1', far.port, keyOf(far), 'peer-a')
      await assert.rejects(wrongPath.fetch(hash, 1024), 'not the issuing connection address')
      // the refusals did not burn the ticket of the rightful peer
      const owner = await BulkChannelClient.open('127.0.0.1', t.port, keyOf(t), 'peer-a')
      assert.equal(Buffer.concat(await owner.fetch(hash, 1024)).byteLength, 1024)
      owner.close()
    } finally {
      await server.stop()
      await store.stop()
    }
  })

  it('attack: a man in the middle flipping one bit of a body is detected, nothing returned', async () => {
    await using dir = await tmpDir()
    const data = randomBytes(3 * MiB)
    const { store, added } = await storeWith(dir.path, { a: data }, 4 * MiB)
    const server = new BulkChannelServer({ store, log: silentLogger }, { host: '127.0.0.1', port: 0 })
    await server.start()
    const target = 100_000 // inside the first body record
    const proxy = await startProxy(server.port!, (chunk, offset) => {
      if (offset <= target && target < offset + chunk.byteLength) chunk[target - offset]! ^= 0x01
      return chunk
    })
    try {
      const t = server.issue('peer-x', added.a!.root)!
      const client = await BulkChannelClient.open('127.0.0.1', proxy.port, keyOf(t), 'peer-x')
      await assert.rejects(client.fetch(added.a!.manifest.chunks[0]!, 4 * MiB), {
        name: 'BulkRecordAuthError',
      })
    } finally {
      await proxy.close()
      await server.stop()
      await store.stop()
    }
  })

  it('attack: bytes after an answer, which nobody asked for, drop the connection', async () => {
    await using dir = await tmpDir()
    const data = randomBytes(1024)
    const { store, added } = await storeWith(dir.path, { a: data })
    const server = new BulkChannelServer({ store, log: silentLogger }, { host: '127.0.0.1', port: 0 })
    await server.start()
    // one answer is a sealed header (5 + 16 bytes) and one sealed record of 1024 + 16 bytes
    const answer = 5 + 16 + 1024 + 16
    const proxy = await startProxy(server.port!, (chunk, offset) =>
      offset + chunk.byteLength === answer ? Buffer.concat([chunk, randomBytes(40)]) : chunk,
    )
    try {
      const t = server.issue('peer-x', added.a!.root)!
      const client = await BulkChannelClient.open('127.0.0.1', proxy.port, keyOf(t), 'peer-x')
      assert.deepEqual(Buffer.concat(await client.fetch(added.a!.manifest.chunks[0]!, 1024)), data)
      await new Promise((r) => setTimeout(r, 50))
      await assert.rejects(client.fetch(added.a!.manifest.chunks[0]!, 1024), /nobody asked for/)
    } finally {
      await proxy.close()
      await server.stop()
      await store.stop()
    }
  })

  it('attack: a passive observer of the TCP path sees no plaintext of the chunk, nor which chunk', async () => {
    await using dir = await tmpDir()
    const pattern = Buffer.from('MODEL-COMMONS-SECRET-WEIGHTS-')
    const data = Buffer.alloc(2 * MiB)
    for (let off = 0; off < data.byteLength; off += pattern.byteLength) pattern.copy(data, off)
    const { store, added } = await storeWith(dir.path, { a: data }, 4 * MiB)
    const server = new BulkChannelServer({ store, log: silentLogger }, { host: '127.0.0.1', port: 0 })
    await server.start()
    const proxy = await startProxy(server.port!)
    try {
      const t = server.issue('peer-x', added.a!.root)!
      const hash = added.a!.manifest.chunks[0]!
      const client = await BulkChannelClient.open('127.0.0.1', proxy.port, keyOf(t), 'peer-x')
      const got = Buffer.concat(await client.fetch(hash, 4 * MiB))
      assert.equal(createHash('sha256').update(got).digest('hex'), hash)
      client.close()
      const wire = Buffer.concat(proxy.seen)
      assert.ok(wire.byteLength >= data.byteLength, 'the observer saw the whole transfer')
      assert.equal(wire.indexOf(pattern.subarray(0, 16)), -1, 'no plaintext on the wire')
      assert.equal(wire.indexOf(Buffer.from(hash, 'hex')), -1, 'the requested chunk hash is not on the wire')
      assert.equal(wire.indexOf(Buffer.from(t.key, 'base64')), -1, 'the key is not on the wire')
      assert.equal(wire.indexOf(Buffer.from('peer-x')), -1)
    } finally {
      await proxy.close()
      await server.stop()
      await store.stop()
    }
  })
})
