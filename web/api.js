// Talks to the node that served this page: `/api` with the node's API token as a bearer header (kept in
// sessionStorage for this tab only; never a cookie, so another site cannot act with it), and the live
// event stream read with fetch (EventSource cannot send a header).

const TOKEN_KEY = 'commons.apiToken'

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
}

/** An error the API answered, with its message (OpenAI-shaped `{ error: { message } }`). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

/** GET or POST JSON on the node; throws ApiError with the node's message. */
export async function api(path, body, init = {}) {
  const headers = { authorization: `Bearer ${token.get()}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    ...init,
  })
  const text = await res.text()
  let json
  try {
    json = text ? JSON.parse(text) : {}
  } catch {
    json = { error: { message: text } }
  }
  if (!res.ok) throw new ApiError(res.status, json?.error?.message ?? `${res.status} ${res.statusText}`)
  return json
}

/**
 * Opens `GET /api/events` and calls onEvent(name, data) for each event; reconnects after a drop.
 * Resolves `false` at once when the token is refused (401), else `true` once connected.
 */
export function openEvents(onEvent, onState) {
  let stopped = false
  let ctrl
  const connect = async () => {
    ctrl = new AbortController()
    const res = await fetch('/api/events', { headers: { authorization: `Bearer ${token.get()}` }, signal: ctrl.signal })
    if (res.status === 401) return false
    if (!res.ok || !res.body) throw new Error(`event stream: ${res.status}`)
    onState('live')
    void pump(res.body.getReader()).catch(() => {}).finally(() => {
      if (stopped) return
      onState('reconnecting')
      setTimeout(() => connect().catch(() => onState('offline')), 1000)
    })
    return true
  }
  const pump = async (reader) => {
    const decoder = new TextDecoder()
    let buf = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buf += decoder.decode(value, { stream: true })
      let end = buf.indexOf('\n\n')
      while (end >= 0) {
        const frame = buf.slice(0, end)
        buf = buf.slice(end + 2)
        let event = 'message'
        let data = ''
        for (const line of frame.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim()
          else if (line.startsWith('data:')) data += line.slice(5).trimStart()
        }
        if (data) onEvent(event, JSON.parse(data))
        end = buf.indexOf('\n\n')
      }
    }
  }
  return {
    ready: connect(),
    close: () => {
      stopped = true
      ctrl?.abort()
    },
  }
}

/** Whole-unit decimal string, shortened for display (shares and ether come as decimal strings). */
export const num = (s, digits = 2) => {
  const n = Number(s)
  return Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits }) : String(s)
}
export const short = (a) => (a && a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-4)}` : (a ?? ''))
export const time = (s) => (s && s !== '0' ? new Date(Number(s) * 1000).toISOString().replace('T', ' ').slice(0, 16) : '—')
export const eth = (wei) => num(Number(BigInt(wei ?? '0')) / 1e18, 6)
/** An amount in the deployment currency's smallest unit, in whole units of it (`currency` from the API; ETH without). */
export const money = (wei, currency) =>
  `${num(Number(BigInt(wei ?? '0')) / 10 ** (currency?.decimals ?? 18), 6)} ${currency?.symbol ?? 'ETH'}`
