import { createCipheriv, createDecipheriv, type DecipherGCM } from 'node:crypto'
import { BulkRecordAuthError } from '../errors.ts'

// Records of the bulk channel: AES-256-GCM under the connection's ticket key, which reached the client
// over the Noise-secured libp2p stream only. The 96-bit nonce is a direction byte and a 64-bit counter
// per direction, so no nonce repeats under a key (a key serves one connection: tickets are single-use).
// A record is its ciphertext followed by a 16-byte tag; lengths are known to the reader in advance.

/** Bytes of a GCM tag after each record. */
export const TAG_BYTES = 16

/** Direction byte of the nonce. */
export const SERVER_TO_CLIENT = 1
export const CLIENT_TO_SERVER = 2

const CIPHER = 'aes-256-gcm'

function nonceOf(direction: number, counter: number): Buffer {
  const nonce = Buffer.alloc(12)
  nonce[0] = direction
  nonce.writeBigUInt64BE(BigInt(counter), 4)
  return nonce
}

/** Seals records sent in one direction of one connection. */
export class RecordSealer {
  private counter = 0

  constructor(
    private readonly key: Buffer,
    private readonly direction: number,
  ) {}

  /** Ciphertext then tag of one record; `aad` is authenticated, not sent. */
  seal(plaintext: Uint8Array, aad?: Uint8Array): Buffer[] {
    const cipher = createCipheriv(CIPHER, this.key, nonceOf(this.direction, this.counter++))
    if (aad !== undefined) cipher.setAAD(aad)
    const body = cipher.update(plaintext)
    cipher.final()
    return [body, cipher.getAuthTag()]
  }
}

/** A record being opened piece by piece: plaintext of each piece, then its tag checked at the end. */
export interface RecordInProgress {
  update(ciphertext: Uint8Array): Buffer
  /** Throws BulkRecordAuthError when the record was altered; its plaintext must then be dropped. */
  finish(tag: Uint8Array): void
}

/** Opens records received in one direction of one connection, in order. */
export class RecordOpener {
  private counter = 0

  constructor(
    private readonly key: Buffer,
    private readonly direction: number,
  ) {}

  /** Plaintext of one record (ciphertext parts, then its tag); throws BulkRecordAuthError when altered. */
  open(parts: Uint8Array[], tag: Buffer, aad?: Uint8Array): Buffer[] {
    const decipher = createDecipheriv(CIPHER, this.key, nonceOf(this.direction, this.counter++))
    if (aad !== undefined) decipher.setAAD(aad)
    decipher.setAuthTag(tag)
    const out = parts.map((p) => decipher.update(p))
    finishRecord(decipher)
    return out
  }

  /** Starts the next record, to be fed as its ciphertext arrives (the tag comes last). */
  begin(aad?: Uint8Array): RecordInProgress {
    const decipher = createDecipheriv(CIPHER, this.key, nonceOf(this.direction, this.counter++))
    if (aad !== undefined) decipher.setAAD(aad)
    return {
      update: (ciphertext) => decipher.update(ciphertext),
      finish: (tag) => {
        decipher.setAuthTag(tag)
        finishRecord(decipher)
      },
    }
  }
}

function finishRecord(decipher: DecipherGCM): void {
  try {
    decipher.final()
  } catch (cause) {
    throw new BulkRecordAuthError(
      'A bulk-channel record failed authentication (altered on the way); the connection is dropped and the chunk fetched again over libp2p.',
      { cause },
    )
  }
}
