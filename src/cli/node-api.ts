import { readFile } from 'node:fs/promises'
import { dataDirLayout, isNodeAlive, readRuntimeInfo } from '../node/index.ts'
import { errorFromResponse, NodeUnreachableError } from './errors.ts'

/** A running node's API, for commands that need the node itself (network, store, keys). */
export interface NodeApi {
  apiUrl: string
  /** The node's address (from its runtime file). */
  address: string
  json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>
  /** POSTs and yields each line of an NDJSON response. */
  lines(path: string, body: unknown, signal?: AbortSignal): AsyncIterable<Record<string, unknown>>
}

/** Finds the node running on the data dir, or explains how to start one. */
export async function requireNode(dataDir: string): Promise<NodeApi> {
  const node = await findNode(dataDir)
  if (node === undefined) {
    throw new NodeUnreachableError(
      `No node is running on ${dataDir}. Start one with \`commons up\` (or \`npm start\`).`,
    )
  }
  return node
}

/**
 * The node running on the data dir, or undefined when none runs. A command that writes into the data
 * dir goes through the running node (it owns the files and keeps them in memory), and writes the
 * files itself only when no node runs.
 */
export async function findNode(dataDir: string): Promise<NodeApi | undefined> {
  const layout = dataDirLayout(dataDir)
  const info = await readRuntimeInfo(layout.runtime)
  if (!info || !(await isNodeAlive(info))) return undefined
  const token = (await readFile(layout.apiToken, 'utf8')).trim()
  const request = async (method: string, path: string, body?: unknown, signal?: AbortSignal) => {
    try {
      return await fetch(new URL(path, info.apiUrl), {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      })
    } catch (err) {
      throw new NodeUnreachableError(
        `The node at ${info.apiUrl} did not answer (${(err as Error).message}).`,
        { cause: err },
      )
    }
  }
  return {
    apiUrl: info.apiUrl,
    address: info.address,
    async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const res = await request(method, path, body)
      const payload = (await res.json().catch(() => ({}))) as Record<string, unknown>
      if (!res.ok) throw errorFromResponse(res.status, payload)
      return payload as T
    },
    async *lines(path: string, body: unknown, signal?: AbortSignal) {
      const res = await request('POST', path, body, signal)
      if (!res.ok)
        throw errorFromResponse(res.status, (await res.json().catch(() => ({}))) as Record<string, unknown>)
      const decoder = new TextDecoder()
      let buffered = ''
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true })
        let nl = buffered.indexOf('\n')
        while (nl >= 0) {
          const line = buffered.slice(0, nl).trim()
          buffered = buffered.slice(nl + 1)
          if (line) yield JSON.parse(line) as Record<string, unknown>
          nl = buffered.indexOf('\n')
        }
      }
    },
  }
}
