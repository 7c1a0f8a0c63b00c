import { z } from 'zod'

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/) as unknown as z.ZodType<`0x${string}`>
const Hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/) as unknown as z.ZodType<`0x${string}`>
const Signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/) as unknown as z.ZodType<`0x${string}`>
const Wei = z
  .string()
  .regex(/^\d{1,78}$/)
  .transform((s) => BigInt(s))
const Count = z.number().int().min(0).max(1e9)

/** One payment channel: a consumer's signer paying one provider for one model version. */
export const ChannelSchema = z
  .object({
    consumer: Address,
    signer: Address,
    provider: Address,
    modelId: Wei,
    versionId: Wei,
  })
  .strict()
export type Channel = z.output<typeof ChannelSchema>

/** The channel's key in maps and records (addresses lower-cased). */
export function channelKey(c: Channel): string {
  return `${c.consumer.toLowerCase()}:${c.signer.toLowerCase()}:${c.provider.toLowerCase()}:${c.modelId}:${c.versionId}`
}

/**
 * What a provider signs for one served request (the EIP-712 Receipt's varying fields; consumer,
 * provider, model and version are the channel's). Sent in the final chunk frame and in claims.
 */
export const ReceiptWireSchema = z
  .object({
    requestId: Hex32,
    promptTokens: Count,
    completionTokens: Count,
    priceWei: Wei,
    signature: Signature,
  })
  .strict()
export type ReceiptWire = z.output<typeof ReceiptWireSchema>

/** A signed cumulative voucher as it crosses the network. */
export const VoucherWireSchema = z
  .object({ channel: ChannelSchema, cumulativeAmount: Wei, signature: Signature })
  .strict()
export type VoucherWire = z.output<typeof VoucherWireSchema>

/** The consumer side's journal (the gateway that signs vouchers). */
export const GatewayRecordSchema = z.discriminatedUnion('k', [
  /** An attempt began: the provider may claim for it (after a crash) up to `maxCost`. */
  z.object({
    k: z.literal('begin'),
    id: Hex32,
    channel: ChannelSchema,
    peer: z.string(),
    maxCost: Wei,
    at: z.number(),
  }),
  /** The attempt was paid: the channel's voucher now stands at `cumulative`. */
  z.object({
    k: z.literal('charge'),
    id: Hex32,
    channel: ChannelSchema,
    peer: z.string(),
    amount: Wei,
    cumulative: Wei,
    signature: Signature,
    promptTokens: Count,
    completionTokens: Count,
    receipt: ReceiptWireSchema.optional(),
    /** Paid on the provider's claim (the gateway never saw the attempt end: it crashed). */
    claimed: z.boolean().optional(),
    at: z.number(),
  }),
  /** The attempt ended with nothing to pay. */
  z.object({ k: z.literal('end'), id: Hex32 }),
  /** The provider acknowledged the voucher at `cumulative`. */
  z.object({ k: z.literal('delivered'), channel: ChannelSchema, cumulative: Wei }),
])
export type GatewayRecord = z.output<typeof GatewayRecordSchema>

/** The provider side's journal (the serving node that signs receipts and redeems vouchers). */
export const ProviderRecordSchema = z.discriminatedUnion('k', [
  z.object({
    k: z.literal('receipt'),
    channel: ChannelSchema.omit({ signer: true }),
    gateway: z.string(),
    receipt: ReceiptWireSchema,
    at: z.number(),
  }),
  z.object({
    k: z.literal('voucher'),
    voucher: VoucherWireSchema,
    paid: z.array(Hex32).max(10_000).optional(),
    at: z.number(),
  }),
  z.object({ k: z.literal('redeemed'), channel: ChannelSchema, cumulative: Wei, tx: z.string() }),
])
export type ProviderRecord = z.output<typeof ProviderRecordSchema>
