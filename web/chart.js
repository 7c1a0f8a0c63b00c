import { html } from './html.js'

const COLORS = ['#0b5394', '#1e6b2f', '#a3221b', '#7a4f01', '#5b2a86', '#555', '#00707a', '#9c2b6b', '#3d5a00', '#6b4226', '#2f3f8f', '#8a5a00']

/** A horizontal stacked bar of parts of a whole, with a text legend (the legend carries the numbers). */
export function ShareChart({ parts, label }) {
  const total = parts.reduce((s, p) => s + p.value, 0) || 1
  let x = 0
  return html`<figure>
    <svg viewBox="0 0 100 8" preserveAspectRatio="none" width="100%" height="32" role="img" aria-label=${label}>
      ${parts.map((p, i) => {
        const w = (p.value / total) * 100
        const r = html`<rect x=${x} y="0" width=${w} height="8" fill=${COLORS[i % COLORS.length]}><title>${p.label}</title></rect>`
        x += w
        return r
      })}
    </svg>
    <figcaption><ul class="row legend">${parts.map((p, i) => html`<li>
      <svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill=${COLORS[i % COLORS.length]} /></svg>
      ${' '}${p.label}: ${((p.value / total) * 100).toFixed(1)}%</li>`)}</ul></figcaption>
  </figure>`
}

/** A small line chart of numeric series over x (e.g. loss per round). */
export function LineChart({ points, label }) {
  const ys = points.map((p) => p.y).filter((y) => Number.isFinite(y))
  if (ys.length === 0) return html`<p class="muted">No data yet.</p>`
  const [min, max] = [Math.min(...ys), Math.max(...ys)]
  const xs = points.map((p) => p.x)
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)]
  const sx = (x) => (x1 === x0 ? 50 : ((x - x0) / (x1 - x0)) * 96 + 2)
  const sy = (y) => (max === min ? 20 : 38 - ((y - min) / (max - min)) * 36)
  const d = points.filter((p) => Number.isFinite(p.y)).map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(2)},${sy(p.y).toFixed(2)}`).join(' ')
  return html`<svg viewBox="0 0 100 40" width="100%" height="120" role="img" aria-label=${`${label}: from ${ys[0].toFixed(3)} to ${ys[ys.length - 1].toFixed(3)}`}>
    <path d=${d} fill="none" stroke="#0b5394" stroke-width="0.8" vector-effect="non-scaling-stroke" />
  </svg>`
}

/** For/against/abstain as one bar, with the quorum marked. */
export function TallyBar({ votes, quorum, total }) {
  const f = Number(votes.for)
  const a = Number(votes.against)
  const ab = Number(votes.abstain)
  const whole = Math.max(Number(total) || 0, f + a + ab, Number(quorum)) || 1
  const w = (v) => (v / whole) * 100
  const q = w(Number(quorum))
  return html`<svg viewBox="0 0 100 6" preserveAspectRatio="none" width="100%" height="14" aria-hidden="true">
    <rect x="0" y="0" width="100" height="6" fill="#e6e6e0" />
    <rect x="0" y="0" width=${w(f)} height="6" fill="#1e6b2f" />
    <rect x=${w(f)} y="0" width=${w(a)} height="6" fill="#a3221b" />
    <rect x=${w(f) + w(a)} y="0" width=${w(ab)} height="6" fill="#777" />
    <rect x=${Math.min(q, 99.5)} y="0" width="0.5" height="6" fill="#000" />
  </svg>`
}

/**
 * Bars over time (e.g. revenue per hour): `bars` are `{ x: label, y: number }`, oldest first. The label
 * names the series and sums it up for screen readers; each bar's title carries its value.
 */
export function BarChart({ bars, label, format = (y) => String(y) }) {
  const max = Math.max(0, ...bars.map((b) => b.y))
  const w = 100 / Math.max(1, bars.length)
  const total = bars.reduce((s, b) => s + b.y, 0)
  return html`<figure class="bars">
    <svg viewBox="0 0 100 40" preserveAspectRatio="none" width="100%" height="90" role="img"
      aria-label=${`${label}: ${format(total)} in total over ${bars.length} buckets, at most ${format(max)} in one`}>
      <line x1="0" y1="39.8" x2="100" y2="39.8" stroke="#999" stroke-width="0.4" vector-effect="non-scaling-stroke" />
      ${bars.map((b, i) => {
        const h = max === 0 ? 0 : (b.y / max) * 38
        return html`<rect x=${i * w + w * 0.1} y=${40 - h} width=${w * 0.8} height=${h} fill="#0b5394"><title>${b.x}: ${format(b.y)}</title></rect>`
      })}
    </svg>
    <figcaption class="muted">${label}: ${format(total)} in total${bars.length ? ` (${bars[0].x} to ${bars[bars.length - 1].x})` : ''}</figcaption>
  </figure>`
}
