import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { errorCodeOf } from '../../error-codes.ts'
import { CommonsError } from '../../errors.ts'
import type { Logger } from '../../log.ts'

/** OpenAI's `code` for our error names where OpenAI has one; others use the snake-cased name. */
const OPENAI_CODES: Record<string, string> = {
  ModelNotFoundError: 'model_not_found',
  UnauthorizedError: 'invalid_api_key',
  ModelBusyError: 'rate_limit_exceeded',
  ContextOverflowError: 'context_length_exceeded',
}

/** OpenAI's `type` by status, which its clients and users key on. */
function openAiType(status: number, fallback: string): string {
  if (status === 400 || status === 404 || status === 413) return 'invalid_request_error'
  if (status === 401) return 'authentication_error'
  if (status === 429) return 'rate_limit_error'
  return fallback
}

/** The OpenAI error body and status for an error; unknown errors become a logged, generic 500. */
export function openAiErrorBody(
  err: unknown,
  log: Logger,
): {
  status: number
  body: { error: { message: string; type: string; param: string | null; code: string } }
} {
  const code = errorCodeOf(err)
  if (!code.known || !(err instanceof CommonsError)) {
    log.error({ err }, 'internal error in /v1')
    return {
      status: 500,
      body: {
        error: {
          message: 'Internal error; see the node log.',
          type: 'server_error',
          param: null,
          code: 'internal_error',
        },
      },
    }
  }
  const param = (err.details?.param ?? err.details?.field ?? null) as string | null
  return {
    status: code.status,
    body: {
      error: {
        message: err.message,
        type: openAiType(code.status, code.type),
        param,
        code: OPENAI_CODES[err.name] ?? snake(err.name.replace(/Error$/, '')),
      },
    },
  }
}

/** Renders an error as OpenAI's `{ error: { message, type, param, code } }`, with Retry-After on 429. */
export function openAiErrorResponse(c: Context, err: unknown, log: Logger): Response {
  const { status, body } = openAiErrorBody(err, log)
  const retry = err instanceof CommonsError ? err.details?.retryAfterSeconds : undefined
  if (typeof retry === 'number') c.header('Retry-After', String(Math.max(1, Math.ceil(retry))))
  return c.json(body, status as ContentfulStatusCode)
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
}
