import { num, short } from '../api.js'
import { LineChart, ShareChart } from '../chart.js'
import { html } from '../html.js'

const eps = (e) => (e === null ? 'unbounded (no DP noise)' : e.toFixed(3))

/** Training jobs: rounds, loss curves, each member's contribution and privacy budget spent. */
export function Training({ live, accounts = [] }) {
  const jobs = live.training
  const mine = new Set(accounts.map((a) => a.address.toLowerCase()))
  return html`<div data-ready=${jobs ? 'training' : undefined}>
    ${jobs?.length === 0 && html`<p data-testid="no-jobs">No training jobs on this node. Start one with <code>commons train start</code>.</p>`}
    ${(jobs ?? []).map((j) => {
      const acc = j.accounts ?? { members: [], noiseMultiplier: 0, delta: 0 }
      const parts = acc.members.filter((m) => BigInt(m.contribution) > 0n).map((m) => ({ label: short(m.address), value: Number(m.contribution) }))
      return html`<section class="proposal" aria-labelledby=${`job-${j.jobId}`} data-testid=${`job-${j.jobId}`}>
      <h3 id=${`job-${j.jobId}`}>Job ${j.jobId} <span class="state">${j.status}</span></h3>
      <p>Round ${j.round} of ${j.rounds} · this node is ${j.role}${j.coordinator ? ` · coordinator ${short(j.coordinator)}` : ''}</p>
      ${j.error && html`<p class="error">${j.error}</p>`}
      <${LineChart} label=${`Mean training loss of job ${j.jobId}`} points=${j.losses.map((l) => ({ x: l.round, y: l.meanLoss }))} />
      <h4>Members: contribution and privacy budget spent</h4>
      ${parts.length > 0 && html`<${ShareChart} parts=${parts} label=${`Recorded contribution to job ${j.jobId}: ${parts.map((p) => `${p.label} ${p.value}`).join(', ')}`} />`}
      <div class="wrap"><table><caption class="muted">${acc.noiseMultiplier > 0
        ? `Epsilon at delta ${acc.delta}, noise multiplier ${acc.noiseMultiplier}, composed over the rounds that used each member's update`
        : 'This job adds no differential-privacy noise: updates are clipped and summed securely, but no epsilon bounds them'}</caption>
        <thead><tr><th scope="col">Member</th><th scope="col">Rounds in</th><th scope="col">Contribution (recorded)</th><th scope="col">Privacy spent (ε)</th></tr></thead>
        <tbody>${acc.members.map((m) => html`<tr data-testid="member-account"><td class="mono">${short(m.address)}${mine.has(m.address.toLowerCase()) ? ' (this node)' : ''}</td>
          <td>${m.rounds}</td><td>${num(m.contribution, 0)}</td><td data-testid="epsilon">${eps(m.epsilon)}</td></tr>`)}</tbody></table></div>
      <p class="muted">Per-round: ${j.losses.map((l) => `r${l.round} ${l.members} members${l.dropped ? `, ${l.dropped} dropped` : ''}`).join('; ') || 'none yet'}</p>
    </section>`
    })}
  </div>`
}
