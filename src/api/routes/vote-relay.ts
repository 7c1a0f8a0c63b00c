import { Hono } from 'hono'
import type { Governance, SignedBallotInput } from '../../governance/index.ts'
import { VoteRelayBusyError } from '../errors.ts'
import { readJsonObject } from '../parse-body.ts'

/** A fixed-window counter: at most `limit` events per `windowMs`. */
export class WindowLimiter {
  private windowStart = 0
  private count = 0
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one slot; false when the window is full. */
  take(): boolean {
    const t = this.now()
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t
      this.count = 0
    }
    if (this.count >= this.limit) return false
    this.count++
    return true
  }
}

/**
 * `/api/proposals/:id/ballot` (the EIP-712 ballot a browser wallet signs) and `/api/proposals/:id/vote-by-sig`
 * (the node relays the signed ballot and pays its gas; the vote counts for the signer). Relays are rate
 * limited, and sit behind the API token like every `/api` write.
 */
export function voteRelayRoutes(c: { governance: Governance; relaysPerMinute: number }): Hono {
  const limiter = new WindowLimiter(c.relaysPerMinute, 60_000)
  return new Hono()
    .get('/:id/ballot', async (ctx) =>
      ctx.json(
        await c.governance.ballot({
          proposal: ctx.req.param('id'),
          voter: ctx.req.query('voter') ?? '',
          support: (ctx.req.query('support') ?? '') as 'for',
          reason: ctx.req.query('reason') ?? '',
        }),
      ),
    )
    .post('/:id/vote-by-sig', async (ctx) => {
      const body = { ...(await readJsonObject(ctx)), proposal: ctx.req.param('id') } as SignedBallotInput
      if (!limiter.take())
        throw new VoteRelayBusyError(
          `This node relays at most ${c.relaysPerMinute} signed votes a minute; retry in a minute.`,
        )
      return ctx.json(await c.governance.voteBySig(body), 201)
    })
}
