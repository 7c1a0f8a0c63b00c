import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { silentLogger } from '../../src/log.ts'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import type { ContentStore } from '../../src/store/content-store.ts'
import { createChunkReplicator, createContentStore } from '../../src/store/index.ts'
import type { ChunkReplicator } from '../../src/store/replication/chunk-replicator.ts'
import { type Allowlist, startHost } from '../net/fixtures.ts'

/** A test node: host + store + replicator sharing one data dir. */
export interface StoreNode {
  host: CommonsHost
  store: ContentStore
  replicator: ChunkReplicator
  dir: string
  privateKey: Uint8Array
  stop(): Promise<void>
}

/** Starts a node on 127.0.0.1 port 0 whose store lives in `dir` (re-usable after stop, same key optional). */
export async function startStoreNode(
  allow: Allowlist | 'open',
  dir: string,
  opts: { chunkSize?: number; privateKey?: Uint8Array; durable?: boolean } = {},
): Promise<StoreNode> {
  const privateKey = opts.privateKey ?? randomBytes(32)
  const host = await startHost(allow, { privateKey })
  if (allow !== 'open') allow.add(host)
  const store = createContentStore(
    { dir, chunkSize: opts.chunkSize, durable: opts.durable },
    { log: silentLogger },
  )
  await store.start()
  const replicator = createChunkReplicator({}, { host, store, log: silentLogger })
  await replicator.start()
  return {
    host,
    store,
    replicator,
    dir,
    privateKey,
    async stop() {
      await replicator.stop()
      await host.stop()
      await store.stop()
    },
  }
}

/** Writes a file of `bytes` pseudo-random bytes (generated in 1 MiB pieces) and returns its sha256. */
export async function writeRandomFile(path: string, bytes: number): Promise<string> {
  const fh = await open(path, 'w')
  const hash = createHash('sha256')
  const block = randomBytes(1024 * 1024)
  try {
    for (let off = 0, i = 0; off < bytes; off += block.byteLength, i++) {
      block.writeUInt32LE(i, 0) // every block distinct, so chunks do not dedupe
      const part = block.subarray(0, Math.min(block.byteLength, bytes - off))
      hash.update(part)
      await fh.write(part)
    }
  } finally {
    await fh.close()
  }
  return hash.digest('hex')
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Connects every node to every other. */
export async function mesh(nodes: StoreNode[]): Promise<void> {
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) await nodes[i]!.host.connect(nodes[j]!.host.multiaddrs()[0]!)
  }
}

export { join }
