/** One contributor's total measured contribution over a job. */
export interface ContributionTotal {
  address: `0x${string}`
  amount: bigint
}

/**
 * Splits `sharesToMint` pro-rata over contributions (floor; the rounding dust is not minted), dropping
 * zero amounts. Pure.
 * @example sharesForContributors([{ address: a, amount: 3n }, { address: b, amount: 1n }], 100n) // a: 75n, b: 25n
 */
export function sharesForContributors(
  totals: readonly ContributionTotal[],
  sharesToMint: bigint,
): ContributionTotal[] {
  const sum = totals.reduce((n, t) => n + t.amount, 0n)
  if (sum === 0n) return []
  return totals
    .map((t) => ({ address: t.address, amount: (sharesToMint * t.amount) / sum }))
    .filter((t) => t.amount > 0n)
}

/**
 * The measure a member claims (and signs) for one round: its example count under `examples`, 1 under
 * `equal-per-round` (the ledger refuses any other amount for that rule). Pure.
 */
export function contributionAmount(rule: 'examples' | 'equal-per-round', numExamples: number): bigint {
  return rule === 'examples' ? BigInt(numExamples) : 1n
}
