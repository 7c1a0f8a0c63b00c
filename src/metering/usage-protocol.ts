import type { Stream } from '@libp2p/interface'
import type { Hex } from 'viem'
import { z } from 'zod'
import type { Logger } from '../log.ts'
import type { RemotePeer } from '../net/index.ts'
import { closeWithError, FrameReader, request, writeJson } from '../net/index.ts'
import { type ReceiptWire, ReceiptWireSchema, type VoucherWire, VoucherWireSchema } from './records.ts'

/** Vouchers to providers, claims to gateways: one request frame and one answer per stream. */
export const USAGE_PROTOCOL = '/commons/usage/1.0.0'

/** Most items in one frame (vouchers or receipts), and bytes of one frame. */
export const MAX_USAGE_ITEMS = 1_000
const MAX_USAGE_FRAME_BYTES = 2 * 1024 * 1024

const Hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/) as unknown as z.ZodType<Hex>

const UsageRequestSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('vouchers'),
      items: z
        .array(z.object({ voucher: VoucherWireSchema, paid: z.array(Hex32).max(MAX_USAGE_ITEMS) }).strict())
        .max(MAX_USAGE_ITEMS),
    })
    .strict(),
  z.object({ type: z.literal('claim'), receipts: z.array(ReceiptWireSchema).max(MAX_USAGE_ITEMS) }).strict(),
])

const AckSchema = z.object({
  type: z.literal('ack'),
  accepted: z.number().int().min(0),
  refused: z.number().int().min(0),
})
const ClaimedSchema = z.object({
  type: z.literal('claimed'),
  vouchers: z.array(VoucherWireSchema).max(MAX_USAGE_ITEMS),
  resolved: z.array(Hex32).max(MAX_USAGE_ITEMS),
})

/** What a node does with usage frames: a provider takes vouchers, a gateway answers claims. */
export interface UsageHandlers {
  acceptVouchers(
    items: { voucher: VoucherWire; paid: Hex[] }[],
  ): Promise<{ accepted: number; refused: number }>
  /** `from`: the claiming peer's address (it must be the provider of every receipt). */
  claim(from: `0x${string}`, receipts: ReceiptWire[]): { vouchers: VoucherWire[]; resolved: Hex[] }
}

/** Serves `/commons/usage/1.0.0`. Every frame is bounded and validated; failures become error frames. */
export function usageProtocolHandler(h: UsageHandlers, log: Logger) {
  return async (stream: Stream, remote: RemotePeer): Promise<void> => {
    const reader = new FrameReader(stream, MAX_USAGE_FRAME_BYTES)
    try {
      const req = await reader.readJson(UsageRequestSchema, { signal: AbortSignal.timeout(10_000) })
      const signal = AbortSignal.timeout(10_000)
      if (req.type === 'vouchers') {
        const r = await h.acceptVouchers(req.items)
        await writeJson(stream, { type: 'ack', ...r }, { signal })
      } else {
        const r = h.claim(remote.address, req.receipts)
        await writeJson(stream, wire({ type: 'claimed', ...r }), { signal })
      }
      await stream.close({ signal: AbortSignal.timeout(5_000) })
    } catch (err) {
      log.debug({ err, peerId: remote.peerId }, 'usage request failed')
      await closeWithError(stream, err)
    } finally {
      reader.release()
    }
  }
}

interface Dialer {
  dial(peer: string, protocol: string, options?: { signal?: AbortSignal }): Promise<Stream>
}

/** Delivers vouchers to their provider; resolves with what it accepted. */
export async function sendVouchers(
  host: Dialer,
  peer: string,
  items: { voucher: VoucherWire; paid: Hex[] }[],
): Promise<{ accepted: number; refused: number }> {
  return exchange(host, peer, wire({ type: 'vouchers', items }), AckSchema)
}

/** Claims unpaid receipts from the gateway that asked for them. */
export async function sendClaim(
  host: Dialer,
  peer: string,
  receipts: ReceiptWire[],
): Promise<{ vouchers: VoucherWire[]; resolved: Hex[] }> {
  return exchange(host, peer, wire({ type: 'claim', receipts }), ClaimedSchema)
}

async function exchange<S extends z.ZodType>(
  host: Dialer,
  peer: string,
  body: unknown,
  schema: S,
): Promise<z.output<S>> {
  const signal = AbortSignal.timeout(15_000)
  const stream = await host.dial(peer, USAGE_PROTOCOL, { signal })
  const reader = new FrameReader(stream, MAX_USAGE_FRAME_BYTES)
  try {
    const answer = await request(stream, reader, body, schema, { signal, timeoutMs: 15_000 })
    await stream.close({ signal: AbortSignal.timeout(2_000) }).catch(() => undefined)
    return answer
  } catch (err) {
    stream.abort(err as Error)
    throw err
  } finally {
    reader.release()
  }
}

/** A value with its bigints as decimal strings (what the wire schemas parse back). */
export function wire<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
}
