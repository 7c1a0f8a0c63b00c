import type { ControlledEvaluateInputItem, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp'
import { throwIfAborted } from '../../errors.ts'
import { EvaluationDataError } from './errors.ts'

/** Held-out perplexity of a text under a model, and what it was computed over. */
export interface PerplexityResult {
  /** exp(mean negative log-likelihood per scored token). */
  perplexity: number
  /** Mean negative log-likelihood per scored token (nats). */
  meanNll: number
  /** Tokens of the text. */
  tokens: number
  /** Tokens whose probability was scored: the second half of each window (see scorePerplexity). */
  scoredTokens: number
  /** Windows the text was cut into (each evaluated from an empty context). */
  windows: number
  contextSize: number
  ms: number
}

/**
 * Held-out perplexity as llama.cpp's `llama-perplexity` computes it: the text is cut into windows of the
 * context size, each evaluated from an empty sequence (after BOS when the model has one), and the tokens of
 * the second half of each window are scored, so every scored token is predicted from at least half a window
 * of context (the first half is context only, and asks llama.cpp for no output). A token's log-probability
 * comes from the logits of the position before it: llama.cpp returns the logit of the actual token, the
 * top logit and the sum of exp(logit - top) over the vocabulary, so log p = logit - top - ln(sum), without
 * copying the vocabulary's distribution to JavaScript.
 */
export async function scorePerplexity(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  text: string,
  opts: {
    /** Tokens per window (BOS included); default and upper bound: the sequence's context size. */
    contextSize?: number
    signal?: AbortSignal
    onWindow?(done: number, total: number): void
  } = {},
): Promise<PerplexityResult> {
  const started = performance.now()
  const tokens = model.tokenize(text, false)
  const bos = model.tokens.bos
  // llama.cpp rounds a context up (to 256 tokens), so the window is what was asked, not what was allocated.
  const contextSize = Math.min(opts.contextSize ?? sequence.contextSize, sequence.contextSize)
  const window = contextSize - (bos === null ? 0 : 1)
  if (tokens.length < 2 || window < 2)
    throw new EvaluationDataError(
      `The held-out text has ${tokens.length} tokens; at least 2 are needed to measure perplexity. Give a longer text.`,
    )
  let nll = 0
  let scored = 0
  const windows = Math.ceil(tokens.length / window)
  for (let w = 0; w < windows; w++) {
    throwIfAborted(opts.signal)
    const chunk = tokens.slice(w * window, (w + 1) * window)
    const input = bos === null ? chunk : [bos, ...chunk]
    await sequence.clearHistory()
    // Positions from `first - 1` predict the scored tokens input[first..].
    const first = Math.max(1, Math.floor(input.length / 2))
    const items: ControlledEvaluateInputItem[] = input.map((t, i) =>
      i + 1 >= first && i + 1 < input.length
        ? [
            t,
            {
              generateNext: {
                logits: { filter: { tokens: [input[i + 1] as Token], includeTop: 1 } },
                totalLogitWeight: true,
              },
            },
          ]
        : t,
    )
    const out = await sequence.controlledEvaluate(items)
    for (let i = first - 1; i + 1 < input.length; i++) {
      const next = out[i]?.next
      const logits = next?.logits
      const total = next?.totalLogitWeight
      const actual = logits?.get(input[i + 1] as Token)
      if (logits === undefined || total === undefined || actual === undefined) continue
      let top = Number.NEGATIVE_INFINITY
      for (const v of logits.values()) if (v > top) top = v
      nll -= actual - top - Math.log(total)
      scored++
    }
    opts.onWindow?.(w + 1, windows)
  }
  await sequence.clearHistory()
  const meanNll = nll / scored
  return {
    perplexity: Math.exp(meanNll),
    meanNll,
    tokens: tokens.length,
    scoredTokens: scored,
    windows,
    contextSize,
    ms: performance.now() - started,
  }
}
