/** What `commons status` gathered from a running node's API; a part that did not answer is undefined. */
export interface NodeStatusView {
  apiUrl: string
  health?: {
    status: string
    address: string
    peerId: string
    chain: { mode: string; status: string; head?: string }
  }
  chain?: Record<string, unknown>
  peers?: {
    self: { multiaddrs: string[] }
    peers: { peerId: string; connected: boolean; serves: unknown[] }[]
  }
  serving?: { models: string[] }
  store?: { contents: { root: string; name?: string; size?: number; complete?: boolean; pinned?: boolean }[] }
  training?: { jobs: { jobId: string; status: string; role: string; round: number; rounds: number }[] }
  /** Prometheus text of `/metrics`, for the usage lines. */
  metrics?: string
}

/** Usage read from the node's metrics: `/v1` requests by outcome, and any token counters it keeps. */
export function usageFromMetrics(text: string): {
  requests: number
  failed: number
  tokens: Record<string, number>
} {
  let requests = 0
  let failed = 0
  const tokens: Record<string, number> = {}
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue
    const m = /^([a-z_:]+)(\{[^}]*\})?\s+([0-9.eE+-]+)$/.exec(line.trim())
    if (!m) continue
    const [, name, labels = '', value] = m
    const n = Number(value)
    if (name === 'commons_http_requests_total' && /route="\/v1/.test(labels)) {
      requests += n
      if (/status="[45]/.test(labels)) failed += n
    } else if (/tokens/.test(name!)) tokens[name!] = (tokens[name!] ?? 0) + n
  }
  return { requests, failed, tokens }
}

/** One screen: node, chain, peers, models served, store, training and usage. */
export function formatStatus(s: NodeStatusView): string {
  const missing = 'did not answer'
  const h = s.health
  const chain = h
    ? `${h.chain.status === 'ok' ? 'reachable' : 'UNAVAILABLE'} (${h.chain.mode}), head block ${h.chain.head ?? '?'}${s.chain?.chainId ? `, chain id ${s.chain.chainId}` : ''}`
    : missing
  const connected = s.peers?.peers.filter((p) => p.connected) ?? []
  const contents = s.store?.contents ?? []
  const bytes = contents.reduce((sum, c) => sum + (c.size ?? 0), 0)
  const jobs = s.training?.jobs ?? []
  const usage = s.metrics === undefined ? undefined : usageFromMetrics(s.metrics)
  const lines = [
    `node      ${h ? `${h.status}  ${h.address}` : missing}  ${s.apiUrl}`,
    ...(h ? [`          PeerId ${h.peerId}`] : []),
    `chain     ${chain}`,
    `peers     ${s.peers ? `${connected.length} connected, ${s.peers.peers.length} known` : missing}`,
    ...connected.map((p) => `          ${p.peerId}  serves ${p.serves.length} model(s)`),
    `serving   ${s.serving ? s.serving.models.join(', ') || 'nothing' : missing}`,
    `store     ${s.store ? `${contents.length} item(s), ${(bytes / 2 ** 20).toFixed(1)} MB${contents.some((c) => c.complete === false) ? ' (some incomplete)' : ''}` : missing}`,
    ...contents.slice(0, 5).map((c) => `          ${c.root.slice(0, 16)}…  ${c.name ?? ''}`),
    `training  ${s.training ? (jobs.length === 0 ? 'no jobs' : `${jobs.length} job(s)`) : missing}`,
    ...jobs
      .slice(0, 5)
      .map((j) => `          ${j.jobId}  ${j.status}  ${j.role}  round ${j.round} of ${j.rounds}`),
    `usage     ${usage ? `${usage.requests} /v1 request(s) since start, ${usage.failed} refused or failed` : missing}`,
    ...Object.entries(usage?.tokens ?? {}).map(([name, n]) => `          ${name} ${n}`),
  ]
  return lines.join('\n')
}
