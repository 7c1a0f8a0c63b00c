import type { PrivateKeyAccount } from 'viem'
import type { ClaimInput, DepositInput, UsageApi, UsageHistoryInput } from '../api/index.ts'
import {
  authorizeEscrowSigner,
  type ChainReader,
  type ChainWriter,
  claimContributorRevenue,
  claimNodeRevenue,
  claimOwnerRevenue,
  depositToEscrow,
  readEarnings,
} from '../chain/index.ts'
import { InvalidInputError, UnavailableError } from '../errors.ts'
import type { Governance } from '../governance/index.ts'
import type { MeteringService, UsageTotals } from '../metering/index.ts'
import type { Keystore } from './keystore.ts'

/** Wei as decimal strings (JSON has no bigint). */
function wei(v: bigint): string {
  return v.toString()
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
      if (p.amountWei === undefined && p.authorize === undefined) {
        throw new InvalidInputError(
          'Say how much to deposit (amountWei), or which signer to authorise (authorize).',
        )
      }
      const out: Record<string, string> = { account: who.address }
      if (p.amountWei !== undefined) {
        if (BigInt(p.amountWei) === 0n) throw new InvalidInputError('A deposit must be above 0 wei.')
        out.depositTx = await depositToEscrow(writer, BigInt(p.amountWei))
      }
      if (p.authorize !== undefined)
        out.authorizeTx = await authorizeEscrowSigner(writer, p.authorize as `0x${string}`)
      const e = await readEarnings(c.access.reader, who.address)
      return { ...out, depositWei: wei(e.deposit) }
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
      return { accounts }
    },
    async claim(p: ClaimInput) {
      const who = await account(p.account)
      const writer = c.access.writer(who)
      if (p.kind === 'node') {
        const before = (await readEarnings(c.access.reader, who.address)).node
        return { account: who.address, txHash: await claimNodeRevenue(writer), amountWei: wei(before) }
      }
      if (p.model === undefined)
        throw new InvalidInputError(`Claiming ${p.kind} revenue needs the model (model).`)
      const id = BigInt(await modelId(p.model))
      if (p.kind === 'owner') {
        const before =
          (await readEarnings(c.access.reader, who.address, { modelIds: [id] })).owners[0]?.claimable ?? 0n
        return { account: who.address, txHash: await claimOwnerRevenue(writer, id), amountWei: wei(before) }
      }
      if (p.version === undefined)
        throw new InvalidInputError('Claiming contributor revenue needs the version (version).')
      const v = { modelId: id, versionId: BigInt(p.version) }
      const before =
        (await readEarnings(c.access.reader, who.address, { versions: [v] })).contributors[0]?.claimable ?? 0n
      return {
        account: who.address,
        txHash: await claimContributorRevenue(writer, v),
        amountWei: wei(before),
      }
    },
  }
}
