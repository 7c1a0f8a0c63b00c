/** Renders `[#####.....]  42%  120.3 MB/s  ETA 3s` on one terminal line (stderr), for long transfers. */
export function renderProgress(done: number, total: number, bytesPerSecond: number, width = 30): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1
  const filled = Math.round(frac * width)
  const eta = bytesPerSecond > 0 ? (total - done) / bytesPerSecond : Number.POSITIVE_INFINITY
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${formatBytes(bytesPerSecond)}/s  ETA ${formatSeconds(eta)}`
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?'
  if (s < 60) return `${Math.ceil(s)}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${Math.ceil(s % 60)}s`
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
}
