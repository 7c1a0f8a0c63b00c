import { createCipheriv, createDecipheriv } from 'node:crypto'
import { SecAggShareDecryptionError } from './errors.ts'

/*
 * Seed shares travel through the coordinator encrypted with ChaCha20-Poly1305 (RFC 8439). Every key is
 * derived for one direction of one pair in one round and seals exactly one message, so a zero nonce is safe.
 */

const NONCE = Buffer.alloc(12)
const TAG_BYTES = 16

/** Encrypts and authenticates `plaintext`, binding `aad`; returns ciphertext || tag. */
export function sealShare(key: Uint8Array, plaintext: Uint8Array, aad: string): Uint8Array {
  const cipher = createCipheriv('chacha20-poly1305', key, NONCE, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(aad, 'utf8'), { plaintextLength: plaintext.length })
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]))
}

/** Decrypts a `sealShare` output; throws SecAggShareDecryptionError if it does not authenticate. */
export function openShare(key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array {
  if (sealed.length < TAG_BYTES)
    throw new SecAggShareDecryptionError('An encrypted share is shorter than its tag.')
  const body = sealed.subarray(0, sealed.length - TAG_BYTES)
  const decipher = createDecipheriv('chacha20-poly1305', key, NONCE, { authTagLength: TAG_BYTES })
  decipher.setAAD(Buffer.from(aad, 'utf8'), { plaintextLength: body.length })
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
  try {
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]))
  } catch (cause) {
    throw new SecAggShareDecryptionError(`An encrypted share for ${aad} did not authenticate; discard it.`, {
      cause,
    })
  }
}
