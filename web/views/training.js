import { short } from '../api.js'
import { LineChart } from '../chart.js'
import { html } from '../html.js'

/** Training jobs: rounds, loss curves, members. */
export function Training({ live }) {
  const jobs = live.training
  return html`<div data-ready=${jobs ? 'training' : undefined}>
    ${jobs?.length === 0 && html`<p data-testid="no-jobs">No training jobs on this node. Start one with <code>commons train start</code>.</p>`}
    ${(jobs ?? []).map((j) => html`<section class="proposal" aria-labelledby=${`job-${j.jobId}`}>
      <h3 id=${`job-${j.jobId}`}>Job ${j.jobId} <span class="state">${j.status}</span></h3>
      <p>Round ${j.round} of ${j.rounds} · this node is ${j.role}${j.coordinator ? ` · coordinator ${short(j.coordinator)}` : ''}</p>
      ${j.error && html`<p class="error">${j.error}</p>`}
      <${LineChart} label=${`Mean training loss of job ${j.jobId}`} points=${j.losses.map((l) => ({ x: l.round, y: l.meanLoss }))} />
      <h4>Members and their contribution</h4>
      <div class="wrap"><table><thead><tr><th scope="col">Member</th><th scope="col">Rounds</th></tr></thead>
        <tbody>${j.members.map((m) => html`<tr><td class="mono">${short(m.address)}</td><td>${j.losses.length}</td></tr>`)}</tbody></table></div>
      <p class="muted">Per-round: ${j.losses.map((l) => `r${l.round} ${l.members} members${l.dropped ? `, ${l.dropped} dropped` : ''}`).join('; ') || 'none yet'}</p>
    </section>`)}
  </div>`
}
