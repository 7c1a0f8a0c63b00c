import { ApiKeyStore } from '../api/index.ts'
import { dataDirLayout } from '../node/index.ts'
import { findNode } from './node-api.ts'

/** An API key as the CLI shows it: never its hash. */
export interface KeyRecord {
  id: string
  label: string
  address: string | null
  createdAt: string
  revokedAt: string | null
}

/** The API keys of a data dir: through its running node, or in its key file when no node runs. */
export interface KeyClient {
  create(input: { label: string; address?: string }): Promise<{ key: string; record: KeyRecord }>
  list(): Promise<KeyRecord[]>
  revoke(id: string): Promise<KeyRecord>
}

/**
 * The key client of a data dir. A running node owns `<data>/api-keys.json` and verifies `/v1` keys
 * from memory, so with one running every change goes through its `/api/keys`.
 */
export async function keyClient(dataDir: string): Promise<KeyClient> {
  const node = await findNode(dataDir)
  if (node !== undefined) {
    return {
      create: async (input) => {
        const { key, ...record } = await node.json<KeyRecord & { key: string }>('POST', '/api/keys', input)
        return { key, record }
      },
      list: async () => (await node.json<{ keys: KeyRecord[] }>('GET', '/api/keys')).keys,
      revoke: (id) => node.json<KeyRecord>('POST', `/api/keys/${encodeURIComponent(id)}/revoke`),
    }
  }
  const store = new ApiKeyStore({ path: dataDirLayout(dataDir).apiKeys })
  return {
    create: async (input) => {
      const { key, record } = await store.create(input)
      return { key, record: withoutHash(record) }
    },
    list: async () => (await store.list()).map(withoutHash),
    revoke: async (id) => withoutHash(await store.revoke(id)),
  }
}

function withoutHash<R extends { hash: string }>({ hash: _hash, ...record }: R): Omit<R, 'hash'> {
  return record
}
