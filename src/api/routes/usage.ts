import { Hono } from 'hono'
import { z } from 'zod'
import { parseBody } from '../parse-body.ts'

const Wei = z.string().regex(/^\d{1,78}$/, 'a whole number of wei, as a decimal string')
const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address 0x + 40 hex digits')

const DepositBodySchema = z
  .object({
    account: z.string().min(1).max(100).default('node'),
    /** In the currency's smallest unit (wei, or 1e-6 of a 6-decimals stablecoin). */
    amountWei: Wei.optional(),
    /** The same in whole currency units, e.g. "2.5" (the node applies the currency's decimals). */
    amount: z
      .string()
      .regex(/^\d{1,40}(\.\d{1,36})?$/, 'an amount of the currency, like 2.5')
      .optional(),
    /** Also let this address (usually the node itself) sign vouchers for the account's deposit. */
    authorize: Address.optional(),
  })
  .strict()

const ClaimBodySchema = z
  .object({
    account: z.string().min(1).max(100).default('node'),
    kind: z.enum(['node', 'owner', 'contributor']),
    model: z.string().min(1).max(200).optional(),
    version: z
      .string()
      .regex(/^\d{1,30}$/)
      .optional(),
    /** The same as `model` and `version`, by id (what `/api/earnings` lists). */
    modelId: z
      .string()
      .regex(/^\d{1,30}$/)
      .optional(),
    versionId: z
      .string()
      .regex(/^\d{1,30}$/)
      .optional(),
  })
  .strict()
  .transform(({ modelId, versionId, ...rest }) => ({
    ...rest,
    model: rest.model ?? modelId,
    version: rest.version ?? versionId,
  }))

export type DepositInput = z.infer<typeof DepositBodySchema>
export type ClaimInput = z.output<typeof ClaimBodySchema>

/** What the usage and earnings routes reach (the node's metering and its accounts). */
export interface UsageApi {
  usage(model: string | undefined): Promise<unknown>
  settle(): Promise<unknown>
  deposit(p: DepositInput): Promise<unknown>
  earnings(account: string | undefined): Promise<unknown>
  claim(p: ClaimInput): Promise<unknown>
}

/** `/api/usage` (what this node served and consumed, settlement, deposits) and `/api/earnings` (claims). */
export function usageRoutes(c: UsageApi): Hono {
  return new Hono()
    .get('/usage', async (ctx) => ctx.json(await c.usage(ctx.req.query('model'))))
    .post('/usage/settle', async (ctx) => ctx.json(await c.settle()))
    .post('/usage/deposit', async (ctx) => ctx.json(await c.deposit(await parseBody(ctx, DepositBodySchema))))
    .get('/earnings', async (ctx) => ctx.json(await c.earnings(ctx.req.query('account'))))
    .post('/earnings/claim', async (ctx) => ctx.json(await c.claim(await parseBody(ctx, ClaimBodySchema))))
}
