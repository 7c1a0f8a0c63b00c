import type { UsagePolicy } from '../chain/index.ts'

/** Whether a model's policy charges for its use. */
export function isPaid(p: Pick<UsagePolicy, 'promptPricePer1k' | 'completionPricePer1k'>): boolean {
  return p.promptPricePer1k > 0n || p.completionPricePer1k > 0n
}

/**
 * The price of a request in wei: tokens times the per-1k prices, rounded up once over the sum (so a
 * request is never free by rounding and is overcharged by less than 1 wei).
 * @example priceWei({ promptPricePer1k: 1000n, completionPricePer1k: 3000n }, 12, 5) // 27n
 */
export function priceWei(
  p: Pick<UsagePolicy, 'promptPricePer1k' | 'completionPricePer1k'>,
  promptTokens: number,
  completionTokens: number,
): bigint {
  const milli = BigInt(promptTokens) * p.promptPricePer1k + BigInt(completionTokens) * p.completionPricePer1k
  return (milli + 999n) / 1000n
}

/** Template and special tokens a chat prompt may add to its text (the bound below counts them). */
export const PROMPT_OVERHEAD_TOKENS = 256

/**
 * Most prompt tokens a prompt of `promptBytes` bytes can be: a tokenizer emits at most one token per byte
 * (byte-level fallback), plus the template. A provider's claim above it is cut to it.
 */
export function maxPromptTokens(promptBytes: number, generatedBefore = 0): number {
  return promptBytes + PROMPT_OVERHEAD_TOKENS + generatedBefore
}

/** The most a request can cost: its prompt bound and every output token it may generate. */
export function maxCostWei(
  p: Pick<UsagePolicy, 'promptPricePer1k' | 'completionPricePer1k'>,
  promptBytes: number,
  maxTokens: number,
): bigint {
  return priceWei(p, maxPromptTokens(promptBytes), maxTokens)
}
