/*
 * The messages of one secure-aggregation round (Bonawitz et al., "Practical Secure Aggregation for
 * Privacy-Preserving Machine Learning", CCS 2017), as plain data for the network layer to frame.
 * Phases: advertise keys -> share keys -> masked input -> unmask.
 */

/** Phase 1, member -> all via coordinator: public keys and a commitment to the self-mask seed. */
export interface AdvertisedKeys {
  readonly memberId: string
  /** X25519 key for the channel that carries seed shares. */
  readonly channelPublicKey: Uint8Array
  /** X25519 key for pairwise masks; its secret is Shamir-shared so dropouts can be unmasked. */
  readonly maskPublicKey: Uint8Array
  /** SHA-256 of the self-mask seed, so a reconstructed seed can be checked. */
  readonly selfSeedCommitment: Uint8Array
}

/** One member's seed shares for one other member, sealed with their pairwise channel key. */
export interface EncryptedShare {
  readonly from: string
  readonly to: string
  readonly ciphertext: Uint8Array
}

/** Phase 2, member -> coordinator: shares for every other member in the roster. */
export interface SharedKeys {
  readonly memberId: string
  readonly shares: readonly EncryptedShare[]
}

/** Phase 3, member -> coordinator: the fixed-point update plus self and pairwise masks. */
export interface MaskedInput {
  readonly memberId: string
  readonly masked: Uint32Array
}

/** Phase 4, coordinator -> survivors: who sent a masked input and who dropped after sharing keys. */
export interface UnmaskRequest {
  readonly survivors: readonly string[]
  readonly dropped: readonly string[]
}

/** One Shamir share of a member's secret. */
export interface RevealedShare {
  readonly of: string
  readonly share: Uint8Array
}

/** Phase 4, survivor -> coordinator: self-seed shares of survivors, mask-key shares of dropped members. */
export interface UnmaskResponse {
  readonly memberId: string
  readonly selfSeedShares: readonly RevealedShare[]
  readonly maskKeyShares: readonly RevealedShare[]
}

/** The result: the mod 2^32 sum of the survivors' inputs and who is in it. */
export interface SecureSum {
  readonly sum: Uint32Array
  readonly contributors: readonly string[]
  readonly dropped: readonly string[]
}
