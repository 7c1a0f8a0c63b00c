import { api, openEvents, token } from './api.js'
import { html } from './html.js'
import { useEffect, useRef, useState } from './vendor/hooks.js'
import { render } from './vendor/preact.js'
import { Earnings } from './views/earnings.js'
import { Model } from './views/model.js'
import { Network } from './views/network.js'
import { Overview } from './views/overview.js'
import { Playground } from './views/playground.js'
import { Proposals } from './views/proposals.js'
import { Training } from './views/training.js'

const VIEWS = [
  ['overview', 'Overview', Overview],
  ['model', 'Model', Model],
  ['proposals', 'Proposals', Proposals],
  ['network', 'Network', Network],
  ['training', 'Training', Training],
  ['earnings', 'Earnings', Earnings],
  ['playground', 'Playground', Playground],
]

const route = () => {
  const [view = 'overview', ...rest] = location.hash.replace(/^#\/?/, '').split('/')
  return { view: VIEWS.some(([id]) => id === view) ? view : 'overview', arg: decodeURIComponent(rest.join('/')) }
}

function TokenForm({ onToken, error }) {
  const [value, setValue] = useState('')
  return html`<main id="main">
    <h2>Unlock this node's dashboard</h2>
    <p>Paste the node's API token. It is in <code>&lt;data dir&gt;/api-token</code> on the machine that runs the node.
      It stays in this browser tab only.</p>
    <form onSubmit=${(e) => { e.preventDefault(); onToken(value.trim()) }}>
      <label>API token <input type="password" autocomplete="off" required value=${value} onInput=${(e) => setValue(e.target.value)} /></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div><button type="submit">Unlock</button></div>
    </form>
  </main>`
}

function App() {
  const [r, setRoute] = useState(route())
  const [live, setLive] = useState({})
  const [stream, setStream] = useState(token.get() ? 'connecting' : 'locked')
  const [tokenError, setTokenError] = useState('')
  const [accounts, setAccounts] = useState([])
  const heading = useRef(null)

  useEffect(() => {
    const onHash = () => setRoute(route())
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])
  useEffect(() => heading.current?.focus(), [r.view])

  useEffect(() => {
    if (stream === 'locked') return
    const events = openEvents((event, data) => setLive((l) => ({ ...l, [event]: data })), setStream)
    events.ready.then((ok) => {
      if (ok) return api('/api/accounts').then((a) => setAccounts(a.accounts))
      token.clear()
      setTokenError('The node refused this token. Check <data dir>/api-token and paste it again.')
      setStream('locked')
    }).catch(() => setStream('offline'))
    return () => events.close()
  }, [stream === 'locked'])

  if (stream === 'locked')
    return html`<${Header} live=${live} stream=${stream} view=${null} /><${TokenForm} error=${tokenError}
      onToken=${(t) => { token.set(t); setTokenError(''); setStream('connecting') }} />`
  const View = VIEWS.find(([id]) => id === r.view)[2]
  const title = VIEWS.find(([id]) => id === r.view)[1]
  return html`<${Header} live=${live} stream=${stream} view=${r.view} />
    <main id="main">
      <h2 tabindex="-1" ref=${heading}>${title}</h2>
      <${View} live=${live} arg=${r.arg} accounts=${accounts} />
    </main>`
}

function Header({ live, stream, view }) {
  return html`<a class="skip" href="#main">Skip to content</a>
    <header>
      <h1>Model Commons</h1>
      ${view && html`<nav aria-label="Views"><ul>
        ${VIEWS.map(([id, label]) => html`<li><a href=${`#/${id}`} aria-current=${id === view ? 'page' : undefined}>${label}</a></li>`)}
      </ul></nav>`}
      <span class="status" role="status">
        ${stream === 'live' ? 'Live' : stream}${live.head ? html` · block <span data-testid="head">${live.head.block}</span>` : ''}
      </span>
    </header>`
}

const root = document.getElementById('app')
root.textContent = ''
render(html`<${App} />`, root)
