// Fast EIP-712 digests and signer recovery for vouchers and receipts: the domain separator is computed
// once per (chain, escrow) and the struct is encoded by hand, so signing and verifying cost little more
// than the bare secp256k1 operations. The digests equal viem's hashTypedData (checked by unit test).
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, domainSeparator, type Hex, hexToBytes, keccak256, toBytes } from 'viem'

const VOUCHER_TYPEHASH = hexToBytes(
  keccak256(
    toBytes(
      'Voucher(address consumer,address provider,uint256 modelId,uint256 versionId,uint256 cumulativeAmount)',
    ),
  ),
)
const RECEIPT_TYPEHASH = hexToBytes(
  keccak256(
    toBytes(
      'Receipt(address consumer,address provider,uint256 modelId,uint256 versionId,bytes32 requestId,uint256 promptTokens,uint256 completionTokens,uint256 priceWei)',
    ),
  ),
)

const separators = new Map<string, Uint8Array>()

function separatorOf(chainId: number, escrow: `0x${string}`): Uint8Array {
  const key = `${chainId}:${escrow.toLowerCase()}`
  let s = separators.get(key)
  if (s === undefined) {
    s = hexToBytes(
      domainSeparator({
        domain: { name: 'Model Commons UsageEscrow', version: '1', chainId, verifyingContract: escrow },
      }),
    )
    separators.set(key, s)
  }
  return s
}

/** ABI-encodes 32-byte words: bigints as uint256, hex strings (addresses, bytes32) left-padded. */
function words(typeHash: Uint8Array, values: (bigint | Hex)[]): Uint8Array {
  const out = new Uint8Array(32 * (values.length + 1))
  out.set(typeHash, 0)
  values.forEach((v, i) => {
    const hex = typeof v === 'bigint' ? v.toString(16) : v.slice(2)
    if (hex.length > 64 || (typeof v === 'bigint' && v < 0n)) throw new RangeError(`not a 32-byte word: ${v}`)
    out.set(hexToBytes(`0x${hex.padStart(64, '0')}`), 32 * (i + 1))
  })
  return out
}

function digest(chainId: number, escrow: `0x${string}`, structHash: Uint8Array): Uint8Array {
  const buf = new Uint8Array(66)
  buf[0] = 0x19
  buf[1] = 0x01
  buf.set(separatorOf(chainId, escrow), 2)
  buf.set(structHash, 34)
  return keccak_256(buf)
}

export function voucherDigestBytes(
  d: { chainId: number; escrow: `0x${string}` },
  v: { consumer: Hex; provider: Hex; modelId: bigint; versionId: bigint; cumulativeAmount: bigint },
): Uint8Array {
  const struct = keccak_256(
    words(VOUCHER_TYPEHASH, [v.consumer, v.provider, v.modelId, v.versionId, v.cumulativeAmount]),
  )
  return digest(d.chainId, d.escrow, struct)
}

export function receiptDigestBytes(
  d: { chainId: number; escrow: `0x${string}` },
  r: {
    consumer: Hex
    provider: Hex
    modelId: bigint
    versionId: bigint
    requestId: Hex
    promptTokens: bigint
    completionTokens: bigint
    priceWei: bigint
  },
): Uint8Array {
  const struct = keccak_256(
    words(RECEIPT_TYPEHASH, [
      r.consumer,
      r.provider,
      r.modelId,
      r.versionId,
      r.requestId,
      r.promptTokens,
      r.completionTokens,
      r.priceWei,
    ]),
  )
  return digest(d.chainId, d.escrow, struct)
}

/** Signs a digest with a raw key; returns the Ethereum form r ‖ s ‖ v (v = 27 or 28). */
export function signDigest(digestBytes: Uint8Array, privateKey: Hex): Hex {
  const sig = secp256k1.sign(digestBytes, hexToBytes(privateKey), { prehash: false, format: 'recovered' })
  const out = new Uint8Array(65)
  out.set(sig.subarray(1), 0)
  out[64] = 27 + (sig[0] as number)
  return bytesToHex(out)
}

/** The address that signed a digest, or undefined for a malformed signature. */
export function recoverDigestSigner(digestBytes: Uint8Array, signature: Hex): `0x${string}` | undefined {
  try {
    const sig = hexToBytes(signature)
    if (sig.length !== 65) return undefined
    const v = sig[64] as number
    const recovery = v >= 27 ? v - 27 : v
    if (recovery > 1) return undefined
    const noble = new Uint8Array(65)
    noble[0] = recovery
    noble.set(sig.subarray(0, 64), 1)
    const compressed = secp256k1.recoverPublicKey(noble, digestBytes, { prehash: false })
    const uncompressed = secp256k1.Point.fromBytes(compressed).toBytes(false)
    return bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12))
  } catch {
    return undefined
  }
}
