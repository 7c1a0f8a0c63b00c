import { type ChatHistoryItem, type ChatWrapper, type LlamaModel, resolveChatWrapper } from 'node-llama-cpp'
import type { ChatMessage, ChatPrompt } from '../index.ts'

/** Renders chat messages into prompt tokens for one model. */
export interface ChatTemplate {
  readonly kind: 'model' | 'fixed'
  render(messages: readonly ChatMessage[]): ChatPrompt
}

/** Header of each turn in the fixed template, keyed by role. */
const FIXED_HEADERS: Record<ChatMessage['role'], string> = {
  system: '### System:\n',
  user: '### User:\n',
  assistant: '### Assistant:\n',
}

/** The fixed template ends a turn with a blank line, so a new header means the reply is over. */
const FIXED_STOP = ['\n### ']

/**
 * The model's own chat template when the GGUF has one (resolved by node-llama-cpp, which runs the
 * Jinja template or a matching built-in wrapper), else a fixed `### Role:` template, used by the tiny models.
 */
export function chatTemplateFor(model: LlamaModel): ChatTemplate {
  const hasTemplate = typeof model.fileInfo.metadata.tokenizer?.chat_template === 'string'
  return hasTemplate ? new ModelChatTemplate(model) : new FixedChatTemplate(model)
}

/** `### System:` / `### User:` / `### Assistant:` turns separated by blank lines, after BOS. */
class FixedChatTemplate implements ChatTemplate {
  readonly kind = 'fixed'

  constructor(private readonly model: LlamaModel) {}

  render(messages: readonly ChatMessage[]): ChatPrompt {
    const text =
      messages.map((m) => `${FIXED_HEADERS[m.role]}${m.content}\n\n`).join('') + FIXED_HEADERS.assistant
    const bos = this.model.tokens.bos
    const prefix = bos !== null && this.model.tokens.shouldPrependBosToken ? [bos] : []
    return { prompt: [...prefix, ...this.model.tokenize(text, false)], stop: [...FIXED_STOP] }
  }
}

/** node-llama-cpp's resolution of the GGUF's `tokenizer.chat_template`. */
class ModelChatTemplate implements ChatTemplate {
  readonly kind = 'model'
  private readonly wrapper: ChatWrapper

  constructor(private readonly model: LlamaModel) {
    this.wrapper = resolveChatWrapper(model)
  }

  render(messages: readonly ChatMessage[]): ChatPrompt {
    const chatHistory: ChatHistoryItem[] = messages.map((m) =>
      m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content },
    )
    chatHistory.push({ type: 'model', response: [] })
    const state = this.wrapper.generateContextState({ chatHistory })
    // Triggers made only of text become stop strings; special-token triggers are end-of-generation tokens already.
    const stop = state.stopGenerationTriggers
      .filter((t) => t.values.every((v) => typeof v === 'string'))
      .map((t) => t.toString())
      .filter((s) => s.length > 0)
    return { prompt: state.contextText.tokenize(this.model.tokenizer), stop }
  }
}
