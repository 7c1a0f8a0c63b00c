import { api, num, short, time } from '../api.js'
import { TallyBar } from '../chart.js'
import { html } from '../html.js'
import { useState } from '../vendor/hooks.js'
import { hasWallet, walletVote } from '../wallet.js'
import { CreateProposal, Delegate } from './proposal-forms.js'

export const WALLET = '__wallet__'

/** Runs an action, reporting progress and its outcome in the page's live region. */
export function useAction() {
  const [msg, setMsg] = useState({ text: '', error: false })
  const [busy, setBusy] = useState(false)
  const run = async (label, fn) => {
    setBusy(true)
    setMsg({ text: `${label}…`, error: false })
    try {
      const r = await fn()
      const tx = r?.transactionHash ?? r?.txHash
      setMsg({ text: `${label}: done${tx ? ` (tx ${short(tx)})` : ''}.`, error: false })
      return true
    } catch (err) {
      setMsg({ text: `${label}: ${err.message}`, error: true })
      return false
    } finally {
      setBusy(false)
    }
  }
  return { msg, busy, run }
}

/** Proposals with live tallies, quorum progress and timeline; create, vote, queue, execute, delegate. */
export function Proposals({ live, accounts }) {
  const [signer, setSigner] = useState(accounts[0]?.name ?? 'node')
  const action = useAction()
  const models = live.models ?? []
  const proposals = [...(live.proposals ?? [])].sort((a, b) => Number(b.voteStart) - Number(a.voteStart))
  const total = Object.fromEntries(models.map((m) => [m.id, m.totalShares]))
  const name = Object.fromEntries(models.map((m) => [m.id, m.name]))
  return html`<div data-ready=${live.proposals ? 'proposals' : undefined}>
    <p role="status" aria-live="polite" class=${action.msg.error ? 'error' : 'ok'} data-testid="action-status">${action.msg.text}</p>
    <label>Sign as <select value=${signer} onChange=${(e) => setSigner(e.target.value)}>
      ${accounts.map((a) => html`<option value=${a.name}>${a.name} (${short(a.address)})</option>`)}
      ${hasWallet() && html`<option value=${WALLET}>Browser wallet (signs a ballot; this node pays the gas)</option>`}
    </select></label>
    <h3>Proposals</h3>
    ${proposals.length === 0 && html`<p class="muted">No proposals yet.</p>`}
    ${proposals.map((p) => html`<${ProposalCard} key=${p.id} p=${p} model=${name[p.modelId]} total=${total[p.modelId]} signer=${signer} action=${action} />`)}
    <div class="grid2">
      <${CreateProposal} models=${models} signer=${signer} action=${action} />
      <${Delegate} models=${models} signer=${signer} action=${action} />
    </div>
  </div>`
}

function ProposalCard({ p, model, total, signer, action }) {
  const [support, setSupport] = useState('for')
  const [reason, setReason] = useState('')
  const [votes, setVotes] = useState(undefined)
  const id = `p-${p.ref.replace('.', '-')}`
  // OpenZeppelin's simple counting: For and Abstain count toward quorum. A constitutional proposal also
  // needs For above half of all shares at the snapshot.
  const counted = Number(p.votes.for) + Number(p.votes.abstain)
  const quorumPct = Number(p.quorum) > 0 ? Math.min(100, (counted / Number(p.quorum)) * 100) : 100
  const majority = Number(total ?? 0) / 2
  const vote = (e) => {
    e.preventDefault()
    const body = { account: signer, support, ...(reason ? { reason } : {}) }
    action
      .run(`Vote ${support} on ${p.ref}`, () =>
        signer === WALLET ? walletVote(p.ref, support, reason) : api(`/api/proposals/${p.ref}/votes`, body))
      .then((ok) => ok && setReason(''))
  }
  const step = (kind) => action.run(`${kind === 'queue' ? 'Queue' : 'Execute'} ${p.ref}`, () =>
    api(`/api/proposals/${p.ref}/${kind}`, { account: signer === WALLET ? 'node' : signer }))
  return html`<article class="proposal" aria-labelledby=${id} data-ref=${p.ref} data-state=${p.state}>
    <h4 id=${id}>Proposal ${p.ref} on ${model ?? `model ${p.modelId}`} <span class=${`state ${p.state}`}>${p.state}</span>
      ${p.constitutional ? html` <span class="state">constitutional</span>` : ''}</h4>
    ${p.description && html`<p>${p.description}</p>`}
    <ul>${p.actions.map((a) => html`<li class="mono">${a}</li>`)}</ul>
    <${TallyBar} votes=${p.votes} quorum=${p.quorum} total=${total} />
    <p data-testid="tally">For <strong>${num(p.votes.for)}</strong> · Against <strong>${num(p.votes.against)}</strong> · Abstain <strong>${num(p.votes.abstain)}</strong>${' '}
      of ${num(total)} shares. Quorum ${num(p.quorum)}: <span data-testid="quorum">${quorumPct.toFixed(0)}%</span> reached.
      ${p.constitutional ? ` Constitutional: For must exceed ${num(majority)} (${Number(p.votes.for) > majority ? 'it does' : 'not yet'}).` : ''}</p>
    <p class="muted">Proposed by ${short(p.proposer)} · voting ${time(p.voteStart)} → ${time(p.voteEnd)}${p.eta !== '0' ? ` · executable ${time(p.eta)}` : ''}</p>
    ${p.state === 'active' && html`<form onSubmit=${vote} aria-label=${`Vote on ${p.ref}`}>
      <fieldset><legend>Your vote on ${p.ref}</legend>
        <div>${['for', 'against', 'abstain'].map((s) => html`<label class="inline"><input type="radio" name=${`${id}-support`} value=${s}
          checked=${support === s} onChange=${() => setSupport(s)} /> ${s}</label>`)}</div>
        <label>Reason (optional, recorded on chain) <input value=${reason} maxlength="2000" onInput=${(e) => setReason(e.target.value)} /></label>
        <div><button type="submit" disabled=${action.busy}>Vote on ${p.ref}</button></div>
      </fieldset></form>`}
    ${p.state === 'succeeded' && html`<button onClick=${() => step('queue')} disabled=${action.busy}>Queue ${p.ref}</button>`}
    ${p.state === 'queued' && html`<button onClick=${() => step('execute')} disabled=${action.busy}>Execute ${p.ref}</button>`}
    <details onToggle=${(e) => e.target.open && api(`/api/proposals/${p.ref}/votes`).then((v) => setVotes(v.votes))}>
      <summary>Ballots</summary>
      ${votes === undefined ? html`<p class="muted">Loading…</p>` : html`<ul>${votes.map((v) => html`<li><span class="mono">${short(v.voter)}</span> ${v.support} (${num(v.weight)})${v.reason ? `: “${v.reason}”` : ''}</li>`)}</ul>`}
    </details>
  </article>`
}
