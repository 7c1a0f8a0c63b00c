import { InvalidInputError } from '../../errors.ts'
import { PEER_REQUEST_LIMITS } from './constants.ts'
import type { InferRequestFrame } from './infer-frames.ts'

/**
 * Holds a peer's request to the limits a /v1 client has (max_tokens, prompt bytes, message count, the
 * tokens it says were generated); throws InvalidInputError naming the limit, which the requester
 * surfaces as a refusal rather than failing over.
 */
export function checkPeerRequest(req: InferRequestFrame, limits = PEER_REQUEST_LIMITS): void {
  if (req.type === 'embed') {
    if (Buffer.byteLength(req.input, 'utf8') > limits.maxPromptBytes) {
      throw new InvalidInputError(`The input is longer than ${limits.maxPromptBytes} bytes: shorten it.`)
    }
    return
  }
  const { input, params } = req.task
  if (params.maxTokens > limits.maxOutputTokens) {
    throw new InvalidInputError(
      `max_tokens ${params.maxTokens} is above this node's limit of ${limits.maxOutputTokens}: lower it.`,
    )
  }
  if (req.generated.length > params.maxTokens) {
    throw new InvalidInputError(
      `${req.generated.length} tokens already generated exceed max_tokens ${params.maxTokens}.`,
    )
  }
  let bytes = 0
  if (input.kind === 'chat') {
    if (input.messages.length > limits.maxMessages) {
      throw new InvalidInputError(`More than ${limits.maxMessages} messages: send fewer.`)
    }
    for (const m of input.messages) bytes += Buffer.byteLength(m.content, 'utf8')
  } else {
    bytes =
      typeof input.prompt === 'string' ? Buffer.byteLength(input.prompt, 'utf8') : input.prompt.length * 4
  }
  if (bytes > limits.maxPromptBytes) {
    throw new InvalidInputError(
      `The prompt is ${bytes} bytes, above this node's limit of ${limits.maxPromptBytes}: shorten it.`,
    )
  }
}
