import type { CommonsClient } from './commons-client.ts'
import { errorFromResponse, NodeUnreachableError } from './errors.ts'

type Json = Record<string, unknown>

/** Talks to a running node's `/api` with its API token. */
export function createHttpClient(apiUrl: string, token: string): CommonsClient {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: Json): Promise<T> {
    let res: Response
    try {
      res = await fetch(new URL(path, apiUrl), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(120_000),
      })
    } catch (err) {
      throw new NodeUnreachableError(
        `The node at ${apiUrl} did not answer (${(err as Error).message}). Is \`commons up\` still running?`,
        { cause: err },
      )
    }
    const payload = (await res.json().catch(() => ({}))) as Json
    if (!res.ok) throw errorFromResponse(res.status, payload)
    return payload as T
  }
  const q = (v: string | number | undefined) => encodeURIComponent(String(v ?? ''))
  return {
    via: `node at ${apiUrl}`,
    createModel: (p) => call('POST', '/api/models', p as Json),
    listModels: async () => (await call<{ models: never }>('GET', '/api/models')).models,
    showModel: (id) => call('GET', `/api/models/${q(id)}`),
    listVersions: async (id) =>
      (await call<{ versions: never }>('GET', `/api/models/${q(id)}/versions`)).versions,
    addVersion: ({ model, ...rest }) => call('POST', `/api/models/${q(model)}/versions`, rest),
    propose: (p) => call('POST', '/api/proposals', p as Json),
    listProposals: async (model) =>
      (await call<{ proposals: never }>('GET', `/api/proposals${model ? `?model=${q(model)}` : ''}`))
        .proposals,
    proposal: (id) => call('GET', `/api/proposals/${q(id)}`),
    vote: ({ proposal, ...rest }) => call('POST', `/api/proposals/${q(proposal)}/votes`, rest),
    votes: async (id) => (await call<{ votes: never }>('GET', `/api/proposals/${q(id)}/votes`)).votes,
    queue: ({ proposal, ...rest }) => call('POST', `/api/proposals/${q(proposal)}/queue`, rest),
    execute: ({ proposal, ...rest }) => call('POST', `/api/proposals/${q(proposal)}/execute`, rest),
    shares: ({ model, account }) => call('GET', `/api/shares?model=${q(model)}&account=${q(account)}`),
    delegate: (p) => call('POST', '/api/delegations', p),
    listNodes: async () => (await call<{ nodes: never }>('GET', '/api/nodes')).nodes,
    membership: (account) => call('GET', `/api/nodes/membership?account=${q(account ?? 'node')}`),
    warp: (seconds) => call('POST', '/api/chain/warp', { seconds }),
    accounts: async () => (await call<{ accounts: never }>('GET', '/api/accounts')).accounts,
    close: async () => {},
  }
}
