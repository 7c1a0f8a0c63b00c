import { MAX_TEXT_BYTES_PER_TOKEN, RESUME_TEXT_SLACK_BYTES } from './constants.ts'
import { InferenceProtocolError } from './errors.ts'

/** A chunk as the budget sees it. */
export interface BudgetedChunk {
  index: number
  tokens: readonly number[]
  text: string
  finishReason?: string
}

/**
 * What a serving peer may send for one request, checked chunk by chunk before any of it is used:
 * the chunk continues where the last ended; the generation never passes `maxTokens` tokens in total
 * (counting those generated before this peer took over); every chunk but the final one carries at least
 * one token; and the text sent is at most MAX_TEXT_BYTES_PER_TOKEN bytes per token sent, counted over
 * the whole answer (plus RESUME_TEXT_SLACK_BYTES when resuming after another peer). A breach throws
 * InferenceProtocolError before the chunk is used, so an answer is at most `maxTokens * 64` bytes of
 * text (+ 1 KiB per failover).
 */
export class AnswerBudget {
  private next: number
  private tokens = 0
  private bytes = 0
  private readonly slack: number

  constructor(
    private readonly peerId: string,
    start: number,
    private readonly maxTokens: number,
  ) {
    this.next = start
    this.slack = start > 0 ? RESUME_TEXT_SLACK_BYTES : 0
  }

  /** Accounts one chunk; throws InferenceProtocolError when it breaks the protocol. */
  take(chunk: BudgetedChunk): void {
    const who = `Peer ${this.peerId}`
    if (chunk.index !== this.next) {
      throw new InferenceProtocolError(`${who} sent token ${chunk.index}, expected ${this.next}.`)
    }
    if (chunk.tokens.length === 0 && chunk.finishReason === undefined) {
      throw new InferenceProtocolError(`${who} sent a chunk without tokens before the end.`)
    }
    this.next += chunk.tokens.length
    if (this.next > this.maxTokens) {
      throw new InferenceProtocolError(`${who} sent ${this.next} tokens for max_tokens ${this.maxTokens}.`)
    }
    this.tokens += chunk.tokens.length
    this.bytes += Buffer.byteLength(chunk.text, 'utf8')
    if (this.bytes > this.tokens * MAX_TEXT_BYTES_PER_TOKEN + this.slack) {
      throw new InferenceProtocolError(
        `${who} sent ${this.bytes} bytes of text for ${this.tokens} tokens (at most ${MAX_TEXT_BYTES_PER_TOKEN} per token).`,
      )
    }
  }
}
