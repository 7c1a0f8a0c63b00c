import { Hono } from 'hono'
import { z } from 'zod'
import { InvalidInputError } from '../../errors.ts'
import { HISTORY_LIMITS } from '../../metering/index.ts'
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

const HistoryQuerySchema = z
  .object({
    model: z.string().min(1).max(200).optional(),
    /** Bucket width in seconds, a whole number of minutes. */
    bucket: z.coerce
      .number()
      .int()
      .min(HISTORY_LIMITS.minBucketSeconds)
      .max(HISTORY_LIMITS.maxBucketSeconds)
      .refine((s) => s % 60 === 0, 'a whole number of minutes (a multiple of 60)')
      .default(3_600),
    buckets: z.coerce.number().int().min(1).max(HISTORY_LIMITS.maxBuckets).default(24),
  })
  .strict()

export type DepositInput = z.infer<typeof DepositBodySchema>
export type ClaimInput = z.output<typeof ClaimBodySchema>
export type UsageHistoryInput = z.output<typeof HistoryQuerySchema>

/** What the usage and earnings routes reach (the node's metering and its accounts). */
export interface UsageApi {
  usage(model: string | undefined): Promise<unknown>
  /** Usage and revenue over time, in buckets. */
  history(p: UsageHistoryInput): Promise<unknown>
  settle(): Promise<unknown>
  deposit(p: DepositInput): Promise<unknown>
  earnings(account: string | undefined): Promise<unknown>
  claim(p: ClaimInput): Promise<unknown>
}

/** `/api/usage` (what this node served and consumed, settlement, deposits) and `/api/earnings` (claims). */
export function usageRoutes(c: UsageApi): Hono {
  return new Hono()
    .get('/usage', async (ctx) => ctx.json(await c.usage(ctx.req.query('model'))))
    .get('/usage/history', async (ctx) => {
      const parsed = HistoryQuerySchema.safeParse(ctx.req.query())
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!
        const field = issue.path.join('.') || 'query'
        throw new InvalidInputError(
          `Invalid ${field}: ${issue.message}. Ask for ?model=<name>&bucket=<seconds, ${HISTORY_LIMITS.minBucketSeconds}-${HISTORY_LIMITS.maxBucketSeconds}>&buckets=<1-${HISTORY_LIMITS.maxBuckets}>.`,
          { details: { field } },
        )
      }
      return ctx.json(await c.history(parsed.data))
    })
    .post('/usage/settle', async (ctx) => ctx.json(await c.settle()))
    .post('/usage/deposit', async (ctx) => ctx.json(await c.deposit(await parseBody(ctx, DepositBodySchema))))
    .get('/earnings', async (ctx) => ctx.json(await c.earnings(ctx.req.query('account'))))
    .post('/earnings/claim', async (ctx) => ctx.json(await c.claim(await parseBody(ctx, ClaimBodySchema))))
}
