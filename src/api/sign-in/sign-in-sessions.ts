import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { type Address, type Hex, verifyMessage } from 'viem'
import { parseSiweMessage, validateSiweMessage } from 'viem/siwe'
import { SignInBusyError, SignInRefusedError } from './errors.ts'

/** Bounds of sign-in: every map here is fed by unauthenticated callers, so each has a cap and an expiry. */
export interface SignInLimits {
  /** How long a nonce may wait for its signed message. */
  nonceTtlMs: number
  /** Outstanding nonces at most (oldest dropped first beyond it). */
  maxNonces: number
  /** How long a session lasts at most (shorter when the message expires sooner). */
  sessionTtlMs: number
  /** Open sessions at most (a new sign-in beyond it is refused until some expire). */
  maxSessions: number
  /** Clock skew tolerated on `issuedAt`. */
  skewMs: number
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  nonceTtlMs: 5 * 60_000,
  maxNonces: 10_000,
  sessionTtlMs: 60 * 60_000,
  maxSessions: 10_000,
  skewMs: 60_000,
}

/** Who a session token stands for. */
export interface SessionPrincipal {
  id: string
  address: Address
  expiresAt: Date
}

/** Checks an EIP-191 signature; the default recovers an EOA (smart accounts: pass an ERC-1271 check). */
export type SignatureCheck = (args: { address: Address; message: string; signature: Hex }) => Promise<boolean>

const TOKEN_PATTERN = /^mcs_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/

/**
 * Sign-In with Ethereum (EIP-4361) for consumers: the node hands out a single-use nonce, the consumer
 * signs a SIWE message naming this node's domain, chain and that nonce, and gets a short-lived session
 * token (`mcs_<id>_<secret>`) that `/v1` accepts like an API key, as the signer's address. Sessions live in
 * memory (a restart signs everyone out); only hashes of tokens are kept.
 * @example
 * const nonce = sessions.nonce(); const { token } = await sessions.signIn({ message, signature, domain: 'localhost:8480' })
 */
export class SignInSessions {
  private readonly nonces = new Map<string, number>()
  private readonly sessions = new Map<string, { hash: Buffer; address: Address; expiresAt: number }>()
  private readonly limits: SignInLimits
  private readonly chainId: number
  private readonly now: () => number
  private readonly check: SignatureCheck

  constructor(
    init: { chainId: number; limits?: Partial<SignInLimits> },
    components: { now?: () => number; checkSignature?: SignatureCheck } = {},
  ) {
    this.chainId = init.chainId
    this.limits = { ...DEFAULT_SIGN_IN_LIMITS, ...init.limits }
    this.now = components.now ?? Date.now
    this.check = components.checkSignature ?? ((args) => verifyMessage(args))
  }

  /** A fresh single-use nonce (32 hex characters). */
  nonce(): string {
    this.prune()
    while (this.nonces.size >= this.limits.maxNonces) {
      const oldest = this.nonces.keys().next().value
      if (oldest === undefined) break
      this.nonces.delete(oldest)
    }
    const nonce = randomBytes(16).toString('hex')
    this.nonces.set(nonce, this.now() + this.limits.nonceTtlMs)
    return nonce
  }

  /** Verifies a signed SIWE message for `domain` (the Host the caller used) and opens a session. */
  async signIn(args: { message: string; signature: string; domain: string }): Promise<{
    token: string
    address: Address
    expiresAt: Date
  }> {
    if (args.message.length > 4_096)
      throw new SignInRefusedError('The sign-in message is longer than 4096 characters.')
    if (!/^0x[0-9a-fA-F]{130}$/.test(args.signature)) {
      throw new SignInRefusedError(
        'The signature must be 65 bytes, 0x-prefixed hex (an EIP-191 personal_sign).',
      )
    }
    const message = parseSiweMessage(args.message)
    const now = this.now()
    const problem = this.problemWith(message, args.domain, now)
    if (problem !== undefined) throw new SignInRefusedError(`The sign-in message is refused: ${problem}.`)
    // The nonce is spent before the signature is checked: a message can be tried once.
    this.nonces.delete(message.nonce!)
    const address = message.address!
    const valid = await this.check({
      address,
      message: args.message,
      signature: args.signature as Hex,
    }).catch(() => false)
    if (!valid) throw new SignInRefusedError(`The signature is not ${address}'s signature of this message.`)
    this.prune()
    if (this.sessions.size >= this.limits.maxSessions) {
      throw new SignInBusyError('Too many open sessions on this node; retry later or use an API key.')
    }
    const expiresAt = Math.min(now + this.limits.sessionTtlMs, message.expirationTime?.getTime() ?? Infinity)
    const id = randomBytes(8).toString('hex')
    const token = `mcs_${id}_${randomBytes(32).toString('base64url')}`
    this.sessions.set(id, { hash: sha256(token), address, expiresAt })
    return { token, address, expiresAt: new Date(expiresAt) }
  }

  /** The principal of a valid, unexpired session token, else undefined. */
  verify(token: string): SessionPrincipal | undefined {
    const m = TOKEN_PATTERN.exec(token)
    if (m === null) return undefined
    const session = this.sessions.get(m[1]!)
    if (session === undefined) return undefined
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(m[1]!)
      return undefined
    }
    if (!timingSafeEqual(session.hash, sha256(token))) return undefined
    return { id: m[1]!, address: session.address, expiresAt: new Date(session.expiresAt) }
  }

  /** Ends a session (sign-out); idempotent. */
  signOut(token: string): void {
    const principal = this.verify(token)
    if (principal) this.sessions.delete(principal.id)
  }

  /** Whether a token has the shape of a session token (so callers can tell it from an API key). */
  static isSessionToken(token: string): boolean {
    return token.startsWith('mcs_')
  }

  private problemWith(
    message: ReturnType<typeof parseSiweMessage>,
    domain: string,
    now: number,
  ): string | undefined {
    if (!message.address || !message.nonce || !message.domain || !message.uri || message.version !== '1') {
      return 'it is not an EIP-4361 message (domain, address, uri, version 1 and nonce are required)'
    }
    if (message.domain !== domain) return `it names the domain ${message.domain}, not ${domain}`
    if (message.chainId !== this.chainId)
      return `it names chain ${message.chainId}, this node is on chain ${this.chainId}`
    const nonceExpiry = this.nonces.get(message.nonce)
    if (nonceExpiry === undefined || nonceExpiry <= now) {
      return 'its nonce was not issued by this node, was already used, or expired (get a new one)'
    }
    if (message.issuedAt && message.issuedAt.getTime() > now + this.limits.skewMs)
      return 'it is issued in the future'
    if (!validateSiweMessage({ message, domain, nonce: message.nonce, time: new Date(now) })) {
      return 'it is expired, not yet valid, or malformed'
    }
    return undefined
  }

  /** Drops expired entries from the front (both maps are in insertion order): O(1) amortised. */
  private prune(): void {
    const now = this.now()
    for (const [nonce, expiry] of this.nonces) {
      if (expiry > now) break
      this.nonces.delete(nonce)
    }
    for (const [id, s] of this.sessions) {
      if (s.expiresAt > now) break
      this.sessions.delete(id)
    }
    // Sessions may end before later ones (a message's own expiry): sweep all only when at the cap.
    if (this.sessions.size >= this.limits.maxSessions) {
      for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id)
    }
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}
