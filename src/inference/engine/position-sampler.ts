import type { ControlledEvaluateInputItem, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp'

/** Sampler settings of one generation; the seed changes with every position. */
export interface SamplerSettings {
  temperature: number
  topP: number
  topK: number
}

/**
 * Evaluates tokens on a sequence and samples the next token with its own seed, for one generation.
 *
 * node-llama-cpp's public `controlledEvaluate` creates and frees a native sampler, takes two locks and
 * resolves its sampler settings on every call; on a model whose tokens cost about a millisecond that is
 * 5-7 % of the decode rate, on the event loop, between a token and the next decode. This keeps one native
 * sampler for the generation and calls the sequence's own decode step (`_decodeTokens`, the one
 * `controlledEvaluate` and `evaluate` use), changing only the seed between tokens. Those are internals of
 * node-llama-cpp 3.x: when they are not there (another version), it falls back to `controlledEvaluate`,
 * which samples the same tokens (test/inference/position-sampler.unit.test.ts checks both agree).
 * The caller holds the sequence alone (the engine's pool), so no other evaluation runs on it meanwhile.
 */
export class PositionSampler {
  private readonly fast: FastPath | undefined
  private config: Record<string, unknown> | undefined

  constructor(
    private readonly sequence: LlamaContextSequence,
    model: LlamaModel,
    private readonly settings: SamplerSettings,
    useInternals = true,
  ) {
    this.fast = useInternals ? fastPathOf(sequence, model) : undefined
  }

  /** Evaluates `tokens` and returns the token sampled after the last one with `seed` (undefined: none). */
  async next(tokens: readonly number[], seed: number): Promise<number | undefined> {
    const { temperature, topP, topK } = this.settings
    const fast = this.fast
    if (fast === undefined) {
      const last = tokens.length - 1
      const options = { temperature, topP, topK, minP: 0, seed }
      const items: ControlledEvaluateInputItem[] = tokens.map((t, i) =>
        i === last ? [t as Token, { generateNext: { token: true, options } }] : (t as Token),
      )
      const output = await this.sequence.controlledEvaluate(items)
      return output[last]?.next.token ?? undefined
    }
    // The settings resolved once, as node-llama-cpp resolves them, then only the seed changes.
    this.config ??= fast.sequence._resolveSamplerConfig({ temperature, topP, topK, minP: 0, seed })
    const config = { ...this.config, seed }
    const logits: boolean[] = []
    logits[tokens.length - 1] = true
    const shift = fast.sequence._contextShift
    const out = await fast.sequence._decodeTokens(
      tokens.slice(),
      logits,
      undefined,
      fast.sequence._tokenMeter,
      { size: shift.size, strategy: shift.strategy },
      (batchLogitIndex: number) => {
        fast.sampler.applyConfig(config)
        return fast.sequence._context._ctx.sampleToken(batchLogitIndex, fast.sampler)
      },
      fast.sequence._takeIntervalCheckpointIfNeededAfterBatch,
    )
    const result = out[tokens.length - 1]
    const token = Array.isArray(result) ? result[0] : result
    return typeof token === 'number' && token !== -1 ? token : undefined
  }

  /** Frees the native sampler. */
  dispose(): void {
    this.fast?.sampler.dispose()
  }
}

/** The node-llama-cpp internals the fast path calls. */
interface FastPath {
  sequence: InternalSequence
  sampler: NativeSampler
}

interface NativeSampler {
  applyConfig(config: Record<string, unknown>): void
  dispose(): void
}

interface InternalSequence {
  _resolveSamplerConfig(options: Record<string, unknown>): Record<string, unknown>
  _decodeTokens(
    tokens: number[],
    logits: boolean[],
    priority: undefined,
    meter: unknown,
    shift: { size: unknown; strategy: unknown },
    mapper: (batchLogitIndex: number) => Promise<number>,
    afterBatch: unknown,
  ): Promise<unknown[]>
  _contextShift: { size: unknown; strategy: unknown }
  _tokenMeter: unknown
  _takeIntervalCheckpointIfNeededAfterBatch: unknown
  _context: { _ctx: { sampleToken(batchLogitIndex: number, sampler: NativeSampler): Promise<number> } }
}

function fastPathOf(sequence: LlamaContextSequence, model: LlamaModel): FastPath | undefined {
  const s = sequence as unknown as Partial<InternalSequence>
  const m = model as unknown as {
    _model?: unknown
    _llama?: { _bindings?: { AddonSampler?: new (model: unknown) => NativeSampler } }
  }
  const Sampler = m._llama?._bindings?.AddonSampler
  if (
    typeof s._decodeTokens !== 'function' ||
    typeof s._resolveSamplerConfig !== 'function' ||
    typeof s._context?._ctx?.sampleToken !== 'function' ||
    s._contextShift === undefined ||
    typeof Sampler !== 'function' ||
    m._model === undefined
  )
    return undefined
  return { sequence: s as InternalSequence, sampler: new Sampler(m._model) }
}
