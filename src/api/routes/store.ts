import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import { z } from 'zod'
import { errorCodeOf } from '../../error-codes.ts'
import { CommonsError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import type { OnProgress } from '../../progress.ts'
import type { ChunkVerifiedEvent, ContentStore, FetchResult } from '../../store/index.ts'
import { parseBody } from '../parse-body.ts'

/** What the store routes need: the store, and a fetch that finds providers itself. */
export interface StoreRouteComponents {
  store: ContentStore
  log: Logger
  fetch(
    root: string,
    opts: { signal: AbortSignal; onProgress: OnProgress<ChunkVerifiedEvent> },
  ): Promise<FetchResult>
}

const addBody = z.object({ path: z.string().min(1).max(4096), name: z.string().max(256).optional() }).strict()
const fetchBody = z.object({ root: z.string().min(1).max(200) }).strict()

/** `/api/store`: list, add a local file, fetch from peers (NDJSON progress), pin, unpin, gc. */
export function storeRoutes(c: StoreRouteComponents): Hono {
  return new Hono()
    .get('/', (ctx) => ctx.json({ contents: c.store.ls() }))
    .post('/add', async (ctx) => {
      const body = await parseBody(ctx, addBody)
      const r = await c.store.add(body.path, { name: body.name, signal: ctx.req.raw.signal })
      return ctx.json(
        { root: r.root, cid: r.cid, size: r.manifest.size, chunks: r.manifest.chunks.length },
        201,
      )
    })
    .post('/fetch', async (ctx) => {
      const { root } = await parseBody(ctx, fetchBody)
      ctx.header('content-type', 'application/x-ndjson')
      // One JSON line per progress step (at most every 200 ms), then the result or an error line.
      return stream(ctx, async (out) => {
        const ac = new AbortController()
        out.onAbort(() => ac.abort())
        let last = 0
        try {
          const result = await c.fetch(root, {
            signal: ac.signal,
            onProgress: ({ detail: p }) => {
              const now = Date.now()
              if (now - last < 200 && p.doneBytes < p.totalBytes) return
              last = now
              void out.write(`${JSON.stringify({ type: 'progress', ...p })}\n`)
            },
          })
          await out.write(`${JSON.stringify({ type: 'done', result })}\n`)
        } catch (err) {
          const known = err instanceof CommonsError && errorCodeOf(err).known
          if (!known) c.log.error({ err, root }, 'fetch failed')
          const error = known
            ? { code: err.name, message: err.message }
            : { code: 'internal_error', message: 'Fetch failed; see the node log.' }
          await out.write(`${JSON.stringify({ type: 'error', error })}\n`)
        }
      })
    })
    .post('/:root/pin', async (ctx) => {
      await c.store.pin(ctx.req.param('root'))
      return ctx.json({ root: ctx.req.param('root'), pinned: true })
    })
    .post('/:root/unpin', async (ctx) => {
      await c.store.unpin(ctx.req.param('root'))
      return ctx.json({ root: ctx.req.param('root'), pinned: false })
    })
    .post('/gc', async (ctx) => ctx.json(await c.store.gc()))
}
