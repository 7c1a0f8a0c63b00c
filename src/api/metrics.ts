import { Hono, type MiddlewareHandler } from 'hono'

/** A gauge read at scrape time. */
export interface Gauge {
  name: string
  help: string
  read(): number | Promise<number>
}

/**
 * A counter with labels, for events the node counts (e.g. policy refusals by reason and model). The
 * label values must come from a bounded set (never raw input): at most `maxSeries` series are kept.
 */
export class LabelledCounter {
  private readonly series = new Map<string, number>()

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly maxSeries = 1_000,
  ) {}

  inc(labels: Record<string, string>, by = 1): void {
    const key = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
      .join(',')
    if (!this.series.has(key) && this.series.size >= this.maxSeries) return
    this.series.set(key, (this.series.get(key) ?? 0) + by)
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const [labels, n] of this.series) lines.push(`${this.name}{${labels}} ${n}`)
    return lines
  }
}

/**
 * Prometheus text exposition at `/metrics`: request counters by method, route group and status, plus
 * gauges the node registers (peers, store, loaded models, chain head).
 */
export class Metrics {
  private readonly requests = new Map<string, number>()
  private readonly gauges: Gauge[] = []
  private readonly counters: Pick<LabelledCounter, 'render'>[] = []

  /**
   * Counts every request by route group: the first two segments of the route that matched (`/api/models`),
   * never of the raw path, so a caller cannot grow the label set; a path no route knows counts as `unmatched`.
   */
  readonly middleware: MiddlewareHandler = async (c, next) => {
    await next()
    const route = c.req.routePath
    const group = route.includes('*') ? 'unmatched' : route.split('/').slice(0, 3).join('/') || '/'
    const key = `${c.req.method}|${normalize(group)}|${c.res.status}`
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1)
  }

  gauge(g: Gauge): void {
    this.gauges.push(g)
  }

  counter(c: Pick<LabelledCounter, 'render'>): void {
    this.counters.push(c)
  }

  async render(): Promise<string> {
    const lines = [
      '# HELP commons_http_requests_total HTTP requests served.',
      '# TYPE commons_http_requests_total counter',
    ]
    for (const [key, n] of this.requests) {
      const [method, route, status] = key.split('|')
      lines.push(`commons_http_requests_total{method="${method}",route="${route}",status="${status}"} ${n}`)
    }
    for (const c of this.counters) lines.push(...c.render())
    for (const g of this.gauges) {
      let value: number
      try {
        value = await g.read()
      } catch {
        continue
      }
      lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`, `${g.name} ${value}`)
    }
    return `${lines.join('\n')}\n`
  }

  routes(): Hono {
    return new Hono().get('/', async (c) =>
      c.text(await this.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }),
    )
  }
}

function normalize(route: string): string {
  return route.replace(/[^a-zA-Z0-9/_-]/g, '_').slice(0, 40)
}
