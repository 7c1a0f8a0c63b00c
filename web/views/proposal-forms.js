import { api } from '../api.js'
import { html } from '../html.js'
import { useState } from '../vendor/hooks.js'

const WALLET = '__wallet__'
const KINDS = {
  'set-policy': 'Change the usage policy and price',
  'publish-version': 'Publish a recorded version',
  'mint-shares': 'Mint shares (admit a member)',
  'treasury-transfer': 'Move treasury funds',
  'set-allowed': 'Allow a consumer',
}

// The fields each kind of proposal asks for: [field, label, type].
const FIELDS = {
  'set-policy': [['open', 'Open to anyone', 'checkbox'], ['pricePer1kTokens', 'Price per 1000 tokens (wei)', 'text'], ['requestsPerMinute', 'Requests per minute per consumer (0: no limit)', 'text']],
  'publish-version': [['versionId', 'Version id', 'text']],
  'mint-shares': [['to', 'Recipient (address or local account)', 'text'], ['shares', 'Shares', 'text']],
  'treasury-transfer': [['to', 'Recipient (address or local account)', 'text'], ['amountEth', 'Amount (ETH)', 'text']],
  'set-allowed': [['consumer', 'Consumer (address)', 'text'], ['allowed', 'Allowed', 'checkbox']],
}

/** Create a proposal of any kind the node's governance knows, signed by the chosen local account. */
export function CreateProposal({ models, signer, action }) {
  const [kind, setKind] = useState('set-policy')
  const [model, setModel] = useState('')
  const [description, setDescription] = useState('')
  const [values, setValues] = useState({ open: true, allowed: true, pricePer1kTokens: '0', requestsPerMinute: '0' })
  const submit = (e) => {
    e.preventDefault()
    const fields = Object.fromEntries(FIELDS[kind].map(([f, , type]) => [f, type === 'checkbox' ? Boolean(values[f]) : String(values[f] ?? '')]))
    if (kind === 'set-policy') fields.requestsPerMinute = Number(fields.requestsPerMinute)
    const body = { account: signer === WALLET ? 'node' : signer, model: model || models[0]?.name, kind, description, ...fields }
    action.run('Create proposal', () => api('/api/proposals', body))
  }
  return html`<form onSubmit=${submit} aria-labelledby="create-h"><fieldset>
    <legend id="create-h">Create a proposal</legend>
    <label>Model <select value=${model || models[0]?.name} onChange=${(e) => setModel(e.target.value)}>
      ${models.map((m) => html`<option value=${m.name}>${m.name}</option>`)}</select></label>
    <label>Kind <select value=${kind} onChange=${(e) => setKind(e.target.value)}>
      ${Object.entries(KINDS).map(([k, l]) => html`<option value=${k}>${l}</option>`)}</select></label>
    ${FIELDS[kind].map(([f, label, type]) => type === 'checkbox'
      ? html`<label class="inline"><input type="checkbox" checked=${Boolean(values[f])} onChange=${(e) => setValues({ ...values, [f]: e.target.checked })} /> ${label}</label>`
      : html`<label>${label} <input value=${values[f] ?? ''} required onInput=${(e) => setValues({ ...values, [f]: e.target.value })} /></label>`)}
    <label>Description <textarea rows="2" maxlength="10000" value=${description} onInput=${(e) => setDescription(e.target.value)} /></label>
    <div><button type="submit" disabled=${action.busy}>Create proposal</button></div>
  </fieldset></form>`
}

/** Move the chosen account's voting power in a model to a delegate (an address or local account). */
export function Delegate({ models, signer, action }) {
  const [model, setModel] = useState('')
  const [to, setTo] = useState('')
  const submit = (e) => {
    e.preventDefault()
    action.run('Delegate', () => api('/api/delegations', { account: signer === WALLET ? 'node' : signer, model: model || models[0]?.name, to: to.trim() }))
  }
  return html`<form onSubmit=${submit} aria-labelledby="delegate-h"><fieldset>
    <legend id="delegate-h">Delegate voting power</legend>
    <label>Model <select value=${model || models[0]?.name} onChange=${(e) => setModel(e.target.value)}>
      ${models.map((m) => html`<option value=${m.name}>${m.name}</option>`)}</select></label>
    <label>Delegate to (address or local account) <input value=${to} required onInput=${(e) => setTo(e.target.value)} /></label>
    <div><button type="submit" disabled=${action.busy}>Delegate</button></div>
  </fieldset></form>`
}
