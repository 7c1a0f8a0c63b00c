import { api, money, short } from '../api.js'
import { html } from '../html.js'
import { useData } from '../use-data.js'
import { useAction } from './proposals.js'

/** What each of this node's accounts earned and can claim: as node, as owner, as contributor. */
export function Earnings({ live }) {
  const earnings = useData('/api/earnings', live.head?.block)
  const action = useAction()
  if (earnings.status === 404)
    return html`<p data-ready="earnings" data-testid="earnings-na">Earnings are not available on this node (it has no <code>/api/earnings</code>).</p>`
  if (earnings.error) return html`<p class="error" role="alert">${earnings.error}</p>`
  if (!earnings.data) return html`<p>Loading earnings…</p>`
  const claim = (account, kind, extra = {}) =>
    action.run(`Claim ${kind} revenue for ${account}`, () => api('/api/earnings/claim', { account, kind, ...extra }))
  const btn = (label, wei, onClick) => html`<button disabled=${action.busy || BigInt(wei) === 0n} onClick=${onClick} aria-label=${label}>Claim</button>`
  return html`<div data-ready="earnings">
    <p role="status" aria-live="polite" class=${action.msg.error ? 'error' : 'ok'} data-testid="action-status">${action.msg.text}</p>
    <div class="wrap"><table>
      <thead><tr><th scope="col">Account</th><th scope="col">As</th><th scope="col">Model</th><th scope="col">Claimable</th><th scope="col"></th></tr></thead>
      <tbody>${earnings.data.accounts.flatMap((a) => [
        html`<tr><td>${a.name} <span class="mono">${short(a.address)}</span></td><td>node</td><td>all</td><td>${money(a.node.claimableWei, earnings.data.currency)}</td>
          <td>${btn(`Claim node revenue for ${a.name}`, a.node.claimableWei, () => claim(a.name, 'node'))}</td></tr>`,
        ...a.owner.map((o) => html`<tr><td>${a.name}</td><td>owner</td><td>${o.model}</td><td>${money(o.claimableWei, earnings.data.currency)}</td>
          <td>${btn(`Claim owner revenue of ${o.model} for ${a.name}`, o.claimableWei, () => claim(a.name, 'owner', { modelId: o.modelId }))}</td></tr>`),
        ...a.contributor.map((o) => html`<tr><td>${a.name}</td><td>contributor (v${o.versionId})</td><td>${o.model}</td><td>${money(o.claimableWei, earnings.data.currency)}</td>
          <td>${btn(`Claim contributor revenue of ${o.model} v${o.versionId} for ${a.name}`, o.claimableWei, () => claim(a.name, 'contributor', { modelId: o.modelId, versionId: o.versionId }))}</td></tr>`),
      ])}</tbody></table></div>
  </div>`
}
