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

/**
 * Splits a round's contribution over the datasets it was trained on, pro rata to each one's training tokens
 * (floor; the remainder goes to the largest), ids increasing, zero parts left out: what the member signs and
 * the ledger records per (member, dataset). Pure.
 * @example contributionByDataset(10n, [{ id: 2n, tokens: 300 }, { id: 1n, tokens: 100 }]) // ids [1, 2], amounts [2, 8]
 */
export function contributionByDataset(
  amount: bigint,
  parts: readonly { id: bigint; tokens: number }[],
): { ids: bigint[]; amounts: bigint[] } {
  const sorted = [...parts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const total = sorted.reduce((n, p) => n + BigInt(p.tokens), 0n)
  if (sorted.length === 0 || total === 0n) return { ids: [], amounts: [] }
  const amounts = sorted.map((p) => (amount * BigInt(p.tokens)) / total)
  let largest = 0
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.tokens > sorted[largest]!.tokens) largest = i
  amounts[largest]! += amount - amounts.reduce((a, b) => a + b, 0n)
  const keep = amounts.map((a, i) => (a > 0n ? i : -1)).filter((i) => i >= 0)
  return { ids: keep.map((i) => sorted[i]!.id), amounts: keep.map((i) => amounts[i]!) }
}
