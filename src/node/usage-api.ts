import { formatUnits, type PrivateKeyAccount, parseUnits } from 'viem'
import type { ClaimInput, DepositInput, UsageApi, UsageHistoryInput } from '../api/index.ts'
import {
  authorizeEscrowSigner,
  type ChainReader,
  type ChainWriter,
  claimContributorRevenue,
  claimNodeRevenue,
  claimOwnerRevenue,
  depositToEscrow,
  type PaymentCurrencyInfo,
  readEarnings,
  readPaymentCurrency,
} from '../chain/index.ts'
import { InvalidInputError, UnavailableError } from '../errors.ts'
import type { Governance } from '../governance/index.ts'
import type { MeteringService, UsageTotals } from '../metering/index.ts'
import type { Keystore } from './keystore.ts'

/** Amounts in the currency's smallest unit (wei for native) as decimal strings (JSON has no bigint). */
function wei(v: bigint): string {
  return v.toString()
}

/** The deployment currency as the API shows it: every `*Wei` figure is in its smallest unit. */
export interface CurrencyView {
  symbol: string
  decimals: number
  /** The ERC20's address; null for native currency. */
  token: string | null
}

/** `amount` in whole units of the currency ("2.5") to its smallest unit; more decimals than it has are refused. */
export function parseAmount(amount: string, c: CurrencyView): bigint {
  const fraction = amount.split('.')[1] ?? ''
  if (fraction.length > c.decimals) {
    throw new InvalidInputError(
      `${amount} ${c.symbol} has more than the ${c.decimals} decimals ${c.symbol} has: round it to ${c.decimals} decimals.`,
    )
  }
  return parseUnits(amount, c.decimals)
}

/** Totals with wei as a decimal string. */
function totalsJson(t: UsageTotals) {
  return {
    requests: t.requests,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    wei: wei(t.wei),
  }
}

/** The usage and earnings use cases behind `/api/usage` and `/api/earnings`. */
export function usageApi(c: {
  metering: MeteringService | undefined
  governance: Governance
  keystore: Keystore
  access: { reader: ChainReader; writer(account: PrivateKeyAccount): ChainWriter }
}): UsageApi {
  const metering = (): MeteringService => {
    if (c.metering === undefined) {
      throw new UnavailableError('This deployment has no usage escrow, so nothing is metered or paid here.')
    }
    return c.metering
  }
  const account = async (name: string): Promise<PrivateKeyAccount> => c.keystore.resolve(name)
  const modelId = async (model: string): Promise<string> => (await c.governance.showModel(model)).id
  // A deployment's currency never changes: read once (a failed read is retried next time).
  let currencyRead: Promise<PaymentCurrencyInfo> | undefined
  const currency = async (): Promise<CurrencyView> => {
    currencyRead ??= readPaymentCurrency(c.access.reader).catch((err: unknown) => {
      currencyRead = undefined
      throw err
    })
    const { symbol, decimals, token } = await currencyRead
    return { symbol, decimals, token: token ?? null }
  }
  return {
    async usage(model) {
      const u = metering().usage(model === undefined ? undefined : await modelId(model))
      return {
        served: { ...u.served, revenueWei: wei(u.served.wei), wei: undefined },
        consumed: { ...u.consumed, spendWei: wei(u.consumed.wei), wei: undefined },
        settledWei: wei(u.settledWei),
        unredeemedWei: wei(u.unredeemedWei),
        unpaidReceipts: u.unpaidReceipts,
        unpaidWei: wei(u.unpaidWei),
        undeliveredVouchers: u.undeliveredVouchers,
        currency: await currency(),
      }
    },
    async history(p: UsageHistoryInput) {
      const model = p.model === undefined ? undefined : await modelId(p.model)
      const buckets = metering().stats.history.query({
        modelId: model,
        bucketSeconds: p.bucket,
        buckets: p.buckets,
        nowMs: Date.now(),
      })
      return {
        model: p.model,
        bucketSeconds: p.bucket,
        buckets: buckets.map((b) => ({
          start: b.start,
          served: totalsJson(b.served),
          consumed: totalsJson(b.consumed),
        })),
      }
    },
    async settle() {
      const r = await metering().settle()
      return { ...r, paidWei: wei(r.paidWei) }
    },
    async deposit(p: DepositInput) {
      const who = await account(p.account)
      const writer = c.access.writer(who)
      if (p.amountWei === undefined && p.amount === undefined && p.authorize === undefined) {
        throw new InvalidInputError(
          'Say how much to deposit (amount, or amountWei in the smallest unit), or which signer to authorise (authorize).',
        )
      }
      if (p.amountWei !== undefined && p.amount !== undefined)
        throw new InvalidInputError('Give the deposit as amount or as amountWei, not both.')
      const cur = await currency()
      const out: Record<string, string> = { account: who.address }
      const amount =
        p.amount !== undefined
          ? parseAmount(p.amount, cur)
          : p.amountWei === undefined
            ? undefined
            : BigInt(p.amountWei)
      if (amount !== undefined) {
        if (amount === 0n) throw new InvalidInputError(`A deposit must be above 0 ${cur.symbol}.`)
        out.depositTx = await depositToEscrow(writer, amount)
      }
      if (p.authorize !== undefined)
        out.authorizeTx = await authorizeEscrowSigner(writer, p.authorize as `0x${string}`)
      const e = await readEarnings(c.access.reader, who.address)
      return {
        ...out,
        depositWei: wei(e.deposit),
        deposit: formatUnits(e.deposit, cur.decimals),
        currency: cur,
      }
    },
    async earnings(only) {
      const names = only === undefined ? await c.keystore.names() : [only]
      const models = await c.governance.listModels()
      const versions = (
        await Promise.all(
          models.map(async (m) =>
            (
              await c.governance.listVersions(m.id)
            ).map((v) => ({ modelId: BigInt(m.id), versionId: BigInt(v.id) })),
          ),
        )
      ).flat()
      const nameOf = new Map(models.map((m) => [m.id, m.name]))
      const accounts = await Promise.all(
        names.map(async (name) => {
          const a = await account(name)
          const e = await readEarnings(c.access.reader, a.address, {
            modelIds: models.map((m) => BigInt(m.id)),
            versions,
          })
          return {
            name,
            address: a.address,
            depositWei: wei(e.deposit),
            node: { claimableWei: wei(e.node) },
            owner: e.owners
              .filter((o) => o.claimable > 0n)
              .map((o) => ({
                model: nameOf.get(o.modelId.toString()),
                modelId: o.modelId.toString(),
                claimableWei: wei(o.claimable),
              })),
            contributor: e.contributors
              .filter((o) => o.claimable > 0n)
              .map((o) => ({
                model: nameOf.get(o.modelId.toString()),
                modelId: o.modelId.toString(),
                versionId: o.versionId.toString(),
                claimableWei: wei(o.claimable),
              })),
          }
        }),
      )
      return { accounts, currency: await currency() }
    },
    async claim(p: ClaimInput) {
      const who = await account(p.account)
      const r = await claimRevenue({ reader: c.access.reader, writer: c.access.writer(who), modelId }, who, p)
      return { ...r, currency: await currency() }
    },
  }
}

/** Claims one kind of revenue for `who`; returns what it paid (read just before the claim). */
async function claimRevenue(
  c: { reader: ChainReader; writer: ChainWriter; modelId(model: string): Promise<string> },
  who: PrivateKeyAccount,
  p: ClaimInput,
) {
  const writer = c.writer
  if (p.kind === 'node') {
    const before = (await readEarnings(c.reader, who.address)).node
    return { account: who.address, txHash: await claimNodeRevenue(writer), amountWei: wei(before) }
  }
  if (p.model === undefined)
    throw new InvalidInputError(`Claiming ${p.kind} revenue needs the model (model).`)
  const id = BigInt(await c.modelId(p.model))
  if (p.kind === 'owner') {
    const before = (await readEarnings(c.reader, who.address, { modelIds: [id] })).owners[0]?.claimable ?? 0n
    return { account: who.address, txHash: await claimOwnerRevenue(writer, id), amountWei: wei(before) }
  }
  if (p.version === undefined)
    throw new InvalidInputError('Claiming contributor revenue needs the version (version).')
  const v = { modelId: id, versionId: BigInt(p.version) }
  const before =
    (await readEarnings(c.reader, who.address, { versions: [v] })).contributors[0]?.claimable ?? 0n
  return {
    account: who.address,
    txHash: await claimContributorRevenue(writer, v),
    amountWei: wei(before),
  }
}
