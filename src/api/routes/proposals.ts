import { type Context, Hono } from 'hono'
import type { BlankEnv } from 'hono/types'
import type { Governance, ProposalStepInput, ProposeInput, VoteInput } from '../../governance/index.ts'
import { readJsonObject } from '../parse-body.ts'

// Bodies go to the use cases as read: governance validates them with the schemas the CLI uses too.

/** `/api/proposals`: list, propose, show, votes, queue, execute. */
export function proposalRoutes(c: { governance: Governance }): Hono {
  const withProposal = async <T>(ctx: Context<BlankEnv, '/:id/votes' | '/:id/queue' | '/:id/execute'>) =>
    ({ ...(await readJsonObject(ctx)), proposal: ctx.req.param('id') }) as T
  return new Hono()
    .get('/', async (ctx) =>
      ctx.json({ proposals: await c.governance.listProposals(ctx.req.query('model')) }),
    )
    .post('/', async (ctx) =>
      ctx.json(await c.governance.propose((await readJsonObject(ctx)) as ProposeInput), 201),
    )
    .get('/:id', async (ctx) => ctx.json(await c.governance.proposal(ctx.req.param('id'))))
    .get('/:id/votes', async (ctx) => ctx.json({ votes: await c.governance.votes(ctx.req.param('id')) }))
    .post('/:id/votes', async (ctx) =>
      ctx.json(await c.governance.vote(await withProposal<VoteInput>(ctx)), 201),
    )
    .post('/:id/queue', async (ctx) =>
      ctx.json(await c.governance.queue(await withProposal<ProposalStepInput>(ctx))),
    )
    .post('/:id/execute', async (ctx) =>
      ctx.json(await c.governance.execute(await withProposal<ProposalStepInput>(ctx))),
    )
}
