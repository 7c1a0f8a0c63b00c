import { api, money, num, short, time } from '../api.js'
import { ShareChart } from '../chart.js'
import { html } from '../html.js'
import { useEffect, useState } from '../vendor/hooks.js'
import { useData } from '../use-data.js'

/** One model: cap table, settings, versions, policy and price, serving nodes, usage. */
export function Model({ live, arg, accounts }) {
  const models = live.models ?? []
  const name = arg || models[0]?.name
  const head = live.head?.block
  const model = useData(name && `/api/models/${encodeURIComponent(name)}`, head)
  const usage = useData(name && `/api/usage?model=${encodeURIComponent(name)}`, head)
  const [holders, setHolders] = useState([])
  useEffect(() => {
    if (!name || accounts.length === 0) return
    Promise.all(accounts.map((a) => api(`/api/shares?model=${encodeURIComponent(name)}&account=${a.name}`).then((s) => ({ ...s, name: a.name }))))
      .then(setHolders)
      .catch(() => setHolders([]))
  }, [name, head, accounts.length])
  if (!name) return html`<p>No models yet. Create one with <code>commons model create</code>.</p>`
  const m = model.data
  const serving = (live.peers?.peers ?? []).filter((p) => p.serves.some((s) => s.model === name || s.model === m?.id))
  const held = holders.reduce((s, h) => s + Number(h.shares), 0)
  const parts = holders.filter((h) => Number(h.shares) > 0).map((h) => ({ label: h.name, value: Number(h.shares) }))
  if (m && Number(m.totalShares) - held > 1e-9) parts.push({ label: 'other holders', value: Number(m.totalShares) - held })
  return html`<div data-ready=${m ? 'model' : undefined}>
    <label>Model <select value=${name} onChange=${(e) => (location.hash = `#/model/${encodeURIComponent(e.target.value)}`)}>
      ${models.map((x) => html`<option value=${x.name}>${x.name}</option>`)}</select></label>
    ${model.error && html`<p class="error" role="alert">${model.error}</p>`}
    ${m && html`
      <h3>Cap table</h3>
      <${ShareChart} parts=${parts} label=${`Shares of ${name}: ${parts.map((p) => `${p.label} ${num(p.value)}`).join(', ')}`} />
      <div class="wrap"><table><thead><tr><th scope="col">Account</th><th scope="col">Shares</th><th scope="col">Votes</th><th scope="col">Delegate</th></tr></thead>
        <tbody>${holders.map((h) => html`<tr><td>${h.name}</td><td>${num(h.shares)} (${h.percent}%)</td><td>${num(h.votes)}</td><td class="mono">${short(h.delegate)}</td></tr>`)}</tbody></table></div>
      <div class="grid2">
        <section><h3>Governance</h3><dl>
          <dt>Voting delay</dt><dd>${m.settings.votingDelay} s</dd><dt>Voting period</dt><dd>${m.settings.votingPeriod} s</dd>
          <dt>Quorum</dt><dd>${m.settings.quorumPercent}% of shares</dd><dt>Timelock delay</dt><dd>${m.settings.timelockDelay} s</dd>
          <dt>Governor</dt><dd class="mono">${m.governor}</dd></dl></section>
        <section><h3>Usage policy and price</h3><dl>
          <dt>Access</dt><dd data-testid="policy-open">${m.policy.open ? 'open to anyone' : 'allowlisted consumers only'}</dd>
          <dt>Prompt price</dt><dd>${money(m.policy.promptPricePer1k, usage.data?.currency)} / 1k tokens</dd>
          <dt>Completion price</dt><dd>${money(m.policy.completionPricePer1k, usage.data?.currency)} / 1k tokens</dd>
          <dt>Requests per minute</dt><dd data-testid="rate-limit">${m.policy.requestsPerMinute || 'unlimited'}</dd></dl></section>
      </div>
      <h3>Versions and lineage</h3>
      <div class="wrap"><table><thead><tr><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Content root</th><th scope="col">Size</th><th scope="col">Proposed by</th><th scope="col">Proposed</th></tr></thead>
        <tbody>${m.versions.map((v, i) => html`<tr><td>v${v.id}${i > 0 ? html` <span class="muted">(after v${m.versions[i - 1].id})</span>` : ''}</td><td>${v.status}</td>
          <td class="mono">${short(v.contentRoot)}</td><td>${num(Number(v.size) / 1024, 0)} KiB</td><td class="mono">${short(v.proposer)}</td><td>${time(v.proposedAt)}</td></tr>`)}</tbody></table></div>
      ${m.versions.filter((v) => v.card).map((v) => card(v))}
      <h3>Serving nodes</h3>
      ${serving.length === 0 ? html`<p class="muted">No peer announces this model; this node serves what its serving list names (Network view).</p>`
        : html`<ul>${serving.map((p) => html`<li class="mono">${short(p.peerId)} load ${p.load ?? '—'} latency ${p.latencyMs ?? '—'} ms</li>`)}</ul>`}
      <h3>Usage and revenue</h3>
      ${usage.status === 404 ? html`<p class="muted" data-testid="usage-na">Usage is not available on this node.</p>`
        : usage.data ? html`<dl><dt>Served</dt><dd>${usage.data.served.requests} requests, ${usage.data.served.completionTokens} tokens, ${money(usage.data.served.revenueWei, usage.data.currency)} earned</dd>
          <dt>Consumed</dt><dd>${usage.data.consumed.requests} requests, ${money(usage.data.consumed.spendWei, usage.data.currency)} spent</dd></dl>` : html`<p class="muted">Loading usage…</p>`}`}
  </div>`
}

/** A version's model card: what its owners say it is for, what made it, and how it was evaluated. */
function card(v) {
  const c = v.card
  const l = c.lineage
  return html`<details class="card" data-testid=${`card-v${v.id}`}><summary>Model card of v${v.id}${l?.marked ? ' (trained with withdrawn data)' : ''}</summary><dl>
    <dt>Intended use</dt><dd>${c.intendedUse || '—'}</dd>
    <dt>Limits</dt><dd>${c.limits || '—'}</dd>
    <dt>Ethics statement</dt><dd>${c.ethicsStatement || '—'}</dd>
    <dt>Lineage</dt><dd>${l ? `${l.jobId ? `training job ${l.jobId}, ${l.rounds.length} rounds, ${l.members.length} members` : 'not trained in the commons'}${l.baseVersionId ? `, from v${l.baseVersionId}` : ''}; ${l.datasets.length} datasets${l.marked ? `; withdrawn: ${l.withdrawnDatasets.join(', ')}` : ''}` : '—'}</dd>
    <dt>Attestations</dt><dd>${(v.attestations ?? []).length === 0 ? 'none' : v.attestations.map((a) => `${a.evaluation} ${a.value} by ${short(a.evaluator)}`).join('; ')}</dd></dl></details>`
}
