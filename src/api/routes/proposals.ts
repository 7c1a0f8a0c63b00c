import { Hono } from 'hono'
import { z } from 'zod'
import type { Governance } from '../../chain/governance.ts'
import { parseBody } from '../parse-body.ts'

const numberish = z.union([z.string(), z.number()]).transform(String)
const base = {
  account: z.string().default('node'),
  model: numberish,
  description: z.string().max(4_000).optional(),
}

const proposeBody = z.discriminatedUnion('kind', [
  z
    .object({
      ...base,
      kind: z.literal('publish-version'),
      versionId: numberish.optional(),
      contentRoot: z.string().optional(),
      format: z.string().optional(),
      size: numberish.optional(),
      cardURI: z.string().max(512).optional(),
    })
    .strict(),
  z.object({ ...base, kind: z.literal('revoke-version'), versionId: numberish }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('set-policy'),
      pricePer1kTokens: numberish,
      open: z.boolean(),
      policyURI: z.string().max(512).optional(),
    })
    .strict(),
  z.object({ ...base, kind: z.literal('mint-shares'), to: z.string(), shares: numberish }).strict(),
  z.object({ ...base, kind: z.literal('treasury-transfer'), to: z.string(), amountEth: numberish }).strict(),
])

const voteBody = z
  .object({
    account: z.string().default('node'),
    support: z.enum(['for', 'against', 'abstain']),
    reason: z.string().max(2_000).optional(),
  })
  .strict()

const stepBody = z.object({ account: z.string().default('node') }).strict()

/** `/api/proposals`: list, propose, show, votes, queue, execute. */
export function proposalRoutes(c: { governance: Governance }): Hono {
  return new Hono()
    .get('/', async (ctx) =>
      ctx.json({ proposals: await c.governance.listProposals(ctx.req.query('model')) }),
    )
    .post('/', async (ctx) => ctx.json(await c.governance.propose(await parseBody(ctx, proposeBody)), 201))
    .get('/:id', async (ctx) => ctx.json(await c.governance.proposal(ctx.req.param('id'))))
    .get('/:id/votes', async (ctx) => ctx.json({ votes: await c.governance.votes(ctx.req.param('id')) }))
    .post('/:id/votes', async (ctx) => {
      const body = await parseBody(ctx, voteBody)
      return ctx.json(await c.governance.vote({ ...body, proposal: ctx.req.param('id') }), 201)
    })
    .post('/:id/queue', async (ctx) => {
      const body = await parseBody(ctx, stepBody)
      return ctx.json(await c.governance.queue({ ...body, proposal: ctx.req.param('id') }))
    })
    .post('/:id/execute', async (ctx) => {
      const body = await parseBody(ctx, stepBody)
      return ctx.json(await c.governance.execute({ ...body, proposal: ctx.req.param('id') }))
    })
}
