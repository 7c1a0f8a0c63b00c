import { Hono, type MiddlewareHandler } from 'hono'

/** A gauge read at scrape time. */
export interface Gauge {
  name: string
  help: string
  read(): number | Promise<number>
}

/**
 * Prometheus text exposition at `/metrics`: request counters by method, route group and status, plus
 * gauges the node registers (peers, store, loaded models, chain head).
 */
export class Metrics {
  private readonly requests = new Map<string, number>()
  private readonly gauges: Gauge[] = []

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

  async render(): Promise<string> {
    const lines = [
      '# HELP commons_http_requests_total HTTP requests served.',
      '# TYPE commons_http_requests_total counter',
    ]
    for (const [key, n] of this.requests) {
      const [method, route, status] = key.split('|')
      lines.push(`commons_http_requests_total{method="${method}",route="${route}",status="${status}"} ${n}`)
    }
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
