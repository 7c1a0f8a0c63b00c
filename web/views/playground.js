import { api } from '../api.js'
import { html } from '../html.js'
import { useState } from '../vendor/hooks.js'

const KEY = 'commons.playgroundKey'

/**
 * A `/v1` key for this tab, bound to the node's own account (a model's policy may need to know who asks):
 * created once on this node (its API token allows it), or none when `/v1` is open.
 */
async function v1Key(address) {
  const kept = sessionStorage.getItem(KEY)
  if (kept !== null) return kept
  const key = await api('/api/keys', { label: 'dashboard playground', ...(address ? { address } : {}) }).then((r) => r.key, (err) => {
    if (err.status === 404) return '' // this node serves /v1 without keys
    throw err
  })
  sessionStorage.setItem(KEY, key)
  return key
}

/** Reads an OpenAI chat completion stream, calling onText with each piece of content. */
async function streamChat(body, key, onText) {
  const res = await fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ ...body, stream: true }),
  })
  if (!res.ok) throw new Error((await res.json().catch(() => ({})))?.error?.message ?? `HTTP ${res.status}`)
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let buf = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buf += decoder.decode(value, { stream: true })
    const lines = buf.split('\n')
    buf = lines.pop()
    for (const line of lines) {
      const data = line.startsWith('data:') ? line.slice(5).trim() : ''
      if (!data || data === '[DONE]') continue
      const text = JSON.parse(data).choices?.[0]?.delta?.content
      if (text) onText(text)
    }
  }
}

/** Chat with a model through this node's `/v1`, streaming. */
export function Playground({ live, accounts }) {
  const models = live.models ?? []
  const [model, setModel] = useState('')
  const [prompt, setPrompt] = useState('Hello!')
  const [answer, setAnswer] = useState('')
  const [state, setState] = useState('')
  const send = async (e) => {
    e.preventDefault()
    setAnswer('')
    setState('Streaming…')
    try {
      let text = ''
      await streamChat(
        { model: model || models[0]?.name, max_tokens: 12, messages: [{ role: 'user', content: prompt }] },
        await v1Key(accounts.find((a) => a.name === 'node')?.address ?? accounts[0]?.address),
        (t) => setAnswer((text += t)),
      )
      setState(`Done: ${text.length} characters.`)
    } catch (err) {
      setState(`The model did not answer: ${err.message}`)
    }
  }
  return html`<div data-ready=${live.models ? 'playground' : undefined}>
    <p class="muted">Requests go to this node's OpenAI-compatible <code>/v1</code> (the demo model's output is gibberish by design).</p>
    <form onSubmit=${send}><fieldset><legend>Chat</legend>
      <label>Model <select value=${model || models[0]?.name} onChange=${(e) => setModel(e.target.value)}>
        ${models.map((m) => html`<option value=${m.name}>${m.name}</option>`)}</select></label>
      <label>Message <textarea rows="3" value=${prompt} onInput=${(e) => setPrompt(e.target.value)} /></label>
      <div><button type="submit">Send</button></div>
    </fieldset></form>
    <p role="status" data-testid="chat-state">${state}</p>
    <h3>Answer</h3>
    <div class="chat" aria-live="polite" data-testid="answer">${answer}</div>
  </div>`
}
