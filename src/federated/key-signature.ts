import type { PrivateKey } from '@libp2p/interface'
import type { AdvertisedKeys } from '../aggregation/index.ts'
import { parsePeerId } from '../net/index.ts'
import { KEYS_SIGNATURE_DOMAIN } from './constants.ts'
import { KeySignatureInvalidError } from './errors.ts'
import type { KeysMessage } from './messages.ts'
import { bytesFromBase64, toBase64 } from './wire-bytes.ts'

/** The bytes a member signs: domain, round id, member id and its three SecAgg values. */
function signedBytes(roundId: string, keys: AdvertisedKeys): Uint8Array {
  const head = Buffer.from(`${KEYS_SIGNATURE_DOMAIN}|${roundId}|${keys.memberId}|`, 'utf8')
  return Buffer.concat([head, keys.channelPublicKey, keys.maskPublicKey, keys.selfSeedCommitment])
}

/** Signs advertised keys with the node identity (its libp2p key = its EVM key), so no one can substitute them. */
export async function signAdvertisedKeys(
  privateKey: PrivateKey,
  roundId: string,
  keys: AdvertisedKeys,
): Promise<KeysMessage> {
  const signature = await privateKey.sign(signedBytes(roundId, keys))
  return {
    type: 'keys',
    memberId: keys.memberId,
    channelPublicKey: toBase64(keys.channelPublicKey),
    maskPublicKey: toBase64(keys.maskPublicKey),
    selfSeedCommitment: toBase64(keys.selfSeedCommitment),
    signature: toBase64(signature),
  }
}

/** Verifies a member's signed keys against the public key in its PeerId (the member id); returns the keys. */
export async function verifyAdvertisedKeys(
  roundId: string,
  msg: Omit<KeysMessage, 'type'>,
): Promise<AdvertisedKeys> {
  const keys: AdvertisedKeys = {
    memberId: msg.memberId,
    channelPublicKey: bytesFromBase64(msg.channelPublicKey),
    maskPublicKey: bytesFromBase64(msg.maskPublicKey),
    selfSeedCommitment: bytesFromBase64(msg.selfSeedCommitment),
  }
  const publicKey = parsePeerId(msg.memberId).publicKey
  const ok =
    publicKey !== undefined &&
    (await publicKey.verify(signedBytes(roundId, keys), bytesFromBase64(msg.signature)))
  if (!ok) {
    throw new KeySignatureInvalidError(
      `The keys advertised for ${msg.memberId} in ${roundId} are not signed by that node; the round refuses them.`,
    )
  }
  return keys
}
