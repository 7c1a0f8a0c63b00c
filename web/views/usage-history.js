import { money } from '../api.js'
import { BarChart } from '../chart.js'
import { html } from '../html.js'
import { useState } from '../vendor/hooks.js'
import { useData } from '../use-data.js'

// Bucket widths the page offers, with how many buckets make a sensible window.
const WIDTHS = { 60: ['per minute', 60], 3600: ['per hour', 24], 86400: ['per day', 14] }

const stamp = (s, width) => new Date(s * 1000).toISOString().slice(width >= 86400 ? 5 : 11, width >= 86400 ? 10 : 16)

/** A model's usage and revenue over time on this node (`/api/usage/history`), as bar charts. */
export function UsageHistory({ name, dep, currency }) {
  const [width, setWidth] = useState('60')
  const q = `/api/usage/history?model=${encodeURIComponent(name)}&bucket=${width}&buckets=${WIDTHS[width][1]}`
  const h = useData(q, dep)
  if (h.status === 404) return null
  if (h.error) return html`<p class="error" role="alert">${h.error}</p>`
  const buckets = h.data?.buckets ?? []
  const at = (b) => stamp(b.start, Number(width))
  return html`<section aria-labelledby="usage-time-h" data-testid="usage-history" data-ready=${h.data ? 'usage-history' : undefined}>
    <h4 id="usage-time-h">Over time</h4>
    <label>Buckets <select value=${width} onChange=${(e) => setWidth(e.target.value)}>
      ${Object.entries(WIDTHS).map(([v, [l]]) => html`<option value=${v}>${l}</option>`)}</select></label>
    ${h.data ? html`<div class="grid2">
      <${BarChart} label=${`Revenue earned (${currency?.symbol ?? 'ETH'})`} format=${(y) => money(BigInt(Math.round(y)), currency)}
        bars=${buckets.map((b) => ({ x: at(b), y: Number(b.served.wei) }))} />
      <${BarChart} label="Requests served"
        bars=${buckets.map((b) => ({ x: at(b), y: b.served.requests }))} />
    </div>` : html`<p class="muted">Loading usage over time…</p>`}
  </section>`
}
