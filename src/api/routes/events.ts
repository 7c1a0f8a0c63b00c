import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { requireToken } from '../auth.ts'
import type { EventHub } from '../event-hub.ts'

/**
 * `GET /api/events`: server-sent events of the dashboard's topics (`head`, `proposals`, `models`, `nodes`,
 * `peers`, …), each sent when its value changes, plus a comment line as heartbeat. Needs the API token
 * (read from `fetch` with a header: no cookie, so another site's page cannot open it with the user's rights).
 */
export function eventRoutes(c: { hub: EventHub; apiToken: string; heartbeatMs: number }): Hono {
  return new Hono().use(requireToken(c.apiToken)).get('/', (ctx) => {
    const queue: { event: string; data: string }[] = []
    let wake: (() => void) | undefined
    // Subscribing before the stream starts lets a full hub answer 503 as a plain error response.
    const unsubscribe = c.hub.subscribe((e) => {
      queue.push(e)
      wake?.()
    })
    return streamSSE(ctx, async (stream) => {
      stream.onAbort(() => {
        unsubscribe()
        wake?.()
      })
      let lastWrite = Date.now()
      while (!stream.aborted) {
        const e = queue.shift()
        if (e) {
          await stream.writeSSE(e)
          lastWrite = Date.now()
          continue
        }
        if (Date.now() - lastWrite >= c.heartbeatMs) {
          await stream.write(': ping\n\n')
          lastWrite = Date.now()
        }
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, c.heartbeatMs).unref()
        })
        wake = undefined
      }
      unsubscribe()
    })
  })
}
