import { html } from '../html.js'
import { num, short, time } from '../api.js'

/** Members, nodes, models, chain head and recent proposals, all from the live stream. */
export function Overview({ live, accounts }) {
  const models = live.models ?? []
  const proposals = [...(live.proposals ?? [])].sort((a, b) => Number(b.voteStart) - Number(a.voteStart))
  const ready = live.models && live.proposals && live.head
  return html`<div data-ready=${ready ? 'overview' : undefined}>
    <div class="cards">
      <div class="card"><span class="n" data-testid="models-count">${models.length}</span><span class="l">models</span></div>
      <div class="card"><span class="n">${live.nodes?.length ?? '…'}</span><span class="l">registered nodes</span></div>
      <div class="card"><span class="n">${live.peers ? live.peers.peers.length + 1 : '…'}</span><span class="l">nodes in reach</span></div>
      <div class="card"><span class="n">${accounts.length}</span><span class="l">local accounts</span></div>
      <div class="card"><span class="n">${proposals.filter((p) => p.state === 'active').length}</span><span class="l">open votes</span></div>
      <div class="card"><span class="n">${live.head?.block ?? '…'}</span><span class="l">chain head</span></div>
    </div>
    <h3>Models</h3>
    <div class="wrap"><table>
      <thead><tr><th scope="col">Model</th><th scope="col">Shares</th><th scope="col">Latest version</th><th scope="col">Access</th></tr></thead>
      <tbody>${models.map((m) => html`<tr>
        <td><a href=${`#/model/${encodeURIComponent(m.name)}`}>${m.name}</a></td>
        <td>${num(m.totalShares)}</td><td>${m.latestPublishedVersion === '0' ? 'none' : `v${m.latestPublishedVersion}`}</td>
        <td>${m.policy.open ? 'open' : 'allowlist'}</td></tr>`)}</tbody>
    </table></div>
    <h3>Members (this node's accounts)</h3>
    <ul>${accounts.map((a) => html`<li>${a.name} <span class="mono">${a.address}</span></li>`)}</ul>
    <h3>Recent activity</h3>
    <ul data-testid="activity">${proposals.slice(0, 8).map((p) => html`<li>
      <a href="#/proposals">Proposal ${p.ref}</a> <span class=${`state ${p.state}`}>${p.state}</span>
      ${' '}${p.description || p.actions?.[0] || ''} <span class="muted">by ${short(p.proposer)}, voting ${time(p.voteStart)}</span></li>`)}</ul>
  </div>`
}
