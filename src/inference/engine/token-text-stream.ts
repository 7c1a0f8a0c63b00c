import { DETOKENIZE_CONTEXT_TOKENS, MAX_PENDING_TOKENS } from './constants.ts'

/** Detokenizes `tokens` as the continuation of `lastTokens` (node-llama-cpp's `model.detokenize`). */
export type Detokenize = (tokens: readonly number[], lastTokens: readonly number[]) => string

/** Text released after one more token. */
export interface TextStep {
  text: string
  /** A stop string was completed; `text` ends right before it and the generation must end. */
  stopped: boolean
}

/**
 * Turns generated tokens into released text. What has been released after token k depends only on
 * (prompt, tokens[0..k], stop strings), which lets another engine resume exactly: it replays the
 * tokens already generated through a fresh stream and releases only what comes after.
 * Text is held back while a UTF-8 character spans byte tokens and while its tail could start a stop string.
 */
export class TokenTextStream {
  private readonly tokens: number[] = []
  /** Tokens [0, stable) are decoded into `text`. */
  private stable = 0
  private text = ''
  private released = 0
  private stopped = false
  private readonly maxStop: number

  constructor(
    private readonly detokenize: Detokenize,
    private readonly stop: readonly string[],
    private readonly promptTail: readonly number[],
  ) {
    this.maxStop = Math.max(0, ...stop.map((s) => s.length))
  }

  /** Adds a generated token; returns the text it releases. */
  push(token: number): TextStep {
    if (this.stopped) return { text: '', stopped: true }
    this.tokens.push(token)
    const pending = this.tokens.slice(this.stable)
    const piece = this.detokenize(pending, this.context())
    // U+FFFD at the end means an incomplete UTF-8 sequence, unless enough bytes arrived to be sure it is real.
    if (piece.endsWith('\uFFFD') && pending.length < MAX_PENDING_TOKENS) return { text: '', stopped: false }
    this.text += piece
    this.stable = this.tokens.length
    return this.release(false)
  }

  /** Ends the stream: decodes whatever is pending and releases all remaining text. */
  finish(): string {
    if (this.stopped) return ''
    if (this.stable < this.tokens.length) {
      this.text += this.detokenize(this.tokens.slice(this.stable), this.context())
      this.stable = this.tokens.length
    }
    return this.release(true).text
  }

  private context(): number[] {
    const generated = this.tokens.slice(Math.max(0, this.stable - DETOKENIZE_CONTEXT_TOKENS), this.stable)
    return [...this.promptTail, ...generated].slice(-DETOKENIZE_CONTEXT_TOKENS)
  }

  private release(final: boolean): TextStep {
    const from = Math.max(0, this.released - this.maxStop + 1)
    let stopAt = -1
    for (const s of this.stop) {
      if (s.length === 0) continue
      const at = this.text.indexOf(s, from)
      if (at !== -1 && (stopAt === -1 || at < stopAt)) stopAt = at
    }
    let end = this.text.length
    if (stopAt !== -1) {
      this.stopped = true
      end = stopAt
    } else if (!final) {
      end -= this.stopPrefixLength()
    }
    const start = this.released
    this.released = Math.max(this.released, end)
    return { text: this.text.slice(start, this.released), stopped: this.stopped }
  }

  /** Length of the longest tail of `text` that is a proper prefix of a stop string. */
  private stopPrefixLength(): number {
    let longest = 0
    for (const s of this.stop) {
      for (let k = Math.min(s.length - 1, this.text.length); k > longest; k--) {
        if (this.text.endsWith(s.slice(0, k))) {
          longest = k
          break
        }
      }
    }
    return longest
  }
}
