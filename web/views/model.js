import { money, num, short, time } from '../api.js'
import { ShareChart } from '../chart.js'
import { html } from '../html.js'
import { useData } from '../use-data.js'
import { UsageHistory } from './usage-history.js'

/** One model: cap table, settings, versions, policy and price, serving nodes, usage. */
export function Model({ live, arg, accounts }) {
  const models = live.models ?? []
  const name = arg || models[0]?.name
  const head = live.head?.block
  const model = useData(name && `/api/models/${encodeURIComponent(name)}`, head)
  const usage = useData(name && `/api/usage?model=${encodeURIComponent(name)}`, head)
  const table = useData(name && `/api/shares/holders?model=${encodeURIComponent(name)}`, head)
  if (!name) return html`<p>No models yet. Create one with <code>commons model create</code>.</p>`
  const m = model.data
  const serving = (live.peers?.peers ?? []).filter((p) => p.serves.some((s) => s.model === name || s.model === m?.id))
  const nameOf = new Map(accounts.map((a) => [a.address.toLowerCase(), a.name]))
  const who = (a) => nameOf.get(a.toLowerCase()) ?? short(a)
  const holders = table.data?.holders ?? []
  const shareParts = holders.filter((h) => Number(h.shares) > 0).map((h) => ({ label: who(h.account), value: Number(h.shares) }))
  const voteParts = holders.filter((h) => Number(h.votes) > 0).map((h) => ({ label: who(h.account), value: Number(h.votes) }))
  const delegateOf = (d) => (/^0x0{40}$/i.test(d) ? 'nobody (not voting)' : who(d))
  const says = (parts) => parts.map((p) => `${p.label} ${num(p.value)}`).join(', ')
  return html`<div data-ready=${m ? 'model' : undefined}>
    <label>Model <select value=${name} onChange=${(e) => (location.hash = `#/model/${encodeURIComponent(e.target.value)}`)}>
      ${models.map((x) => html`<option value=${x.name}>${x.name}</option>`)}</select></label>
    ${model.error && html`<p class="error" role="alert">${model.error}</p>`}
    ${m && html`
      <h3>Cap table</h3>
      ${table.error && html`<p class="error" role="alert">${table.error}</p>`}
      <div class="grid2" data-testid="cap-table" data-holders=${table.data ? holders.length : undefined}>
        <section><h4>Shares</h4><${ShareChart} parts=${shareParts} label=${`Shares of ${name}: ${says(shareParts)}`} /></section>
        <section><h4>Voting power</h4><${ShareChart} parts=${voteParts} label=${`Votes in ${name}: ${says(voteParts)}`} /></section>
      </div>
      <div class="wrap"><table><caption class="muted">Every holder and delegate, largest first</caption>
        <thead><tr><th scope="col">Account</th><th scope="col">Shares</th><th scope="col">Votes</th><th scope="col">Delegates to</th></tr></thead>
        <tbody>${holders.map((h) => html`<tr><td><span class="mono">${short(h.account)}</span>${nameOf.has(h.account.toLowerCase()) ? ` (${who(h.account)})` : ''}</td>
          <td>${num(h.shares)} (${h.percent}%)</td><td>${num(h.votes)}</td><td class="mono">${Number(h.shares) > 0 ? delegateOf(h.delegate) : '—'}</td></tr>`)}</tbody></table></div>
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
          <dt>Consumed</dt><dd>${usage.data.consumed.requests} requests, ${money(usage.data.consumed.spendWei, usage.data.currency)} spent</dd></dl>
          <${UsageHistory} name=${name} dep=${head} currency=${usage.data.currency} />` : html`<p class="muted">Loading usage…</p>`}`}
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
