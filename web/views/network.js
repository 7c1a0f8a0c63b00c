import { short, time } from '../api.js'
import { html } from '../html.js'
import { useData } from '../use-data.js'

/** The nodes: registered on chain, and those in reach with what they hold, serve, their load and latency. */
export function Network({ live }) {
  const serving = useData('/api/serving', live.head?.block)
  const self = live.peers?.self
  const peers = live.peers?.peers ?? []
  return html`<div data-ready=${live.peers && live.nodes ? 'network' : undefined}>
    <h3>This node</h3>
    ${self && html`<dl><dt>Peer id</dt><dd class="mono">${self.peerId}</dd><dt>Address</dt><dd class="mono">${self.address}</dd>
      <dt>Serves</dt><dd data-testid="self-serves">${serving.data ? serving.data.models.map((m) => (typeof m === 'string' ? m : m.model ?? JSON.stringify(m))).join(', ') || 'nothing' : serving.error ? `unknown (${serving.error})` : 'loading…'}</dd></dl>`}
    <h3>Peers in reach</h3>
    ${peers.length === 0 ? html`<p class="muted">No peers connected.</p>` : html`<div class="wrap"><table>
      <thead><tr><th scope="col">Peer</th><th scope="col">Connected</th><th scope="col">Holds</th><th scope="col">Serves</th><th scope="col">Load</th><th scope="col">Latency</th></tr></thead>
      <tbody>${peers.map((p) => html`<tr><td class="mono">${short(p.peerId)}</td><td>${p.connected ? 'yes' : 'no'}</td><td>${p.roots} items</td>
        <td>${p.serves.map((s) => `${s.model}@${s.version}`).join(', ') || '—'}</td><td>${p.load ?? '—'}</td><td>${p.latencyMs === undefined ? '—' : `${p.latencyMs} ms`}</td></tr>`)}</tbody></table></div>`}
    <h3>Registered nodes</h3>
    <div class="wrap"><table><thead><tr><th scope="col">Address</th><th scope="col">Capabilities</th><th scope="col">Addresses</th><th scope="col">Updated</th></tr></thead>
      <tbody>${(live.nodes ?? []).map((n) => html`<tr><td class="mono">${n.address}</td><td>${(n.capabilities ?? []).join?.(', ') ?? String(n.capabilities)}</td>
        <td class="mono">${(n.multiaddrs ?? []).join(' ')}</td><td>${time(n.updatedAt)}</td></tr>`)}</tbody></table></div>
  </div>`
}
