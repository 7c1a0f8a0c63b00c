import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { errorCodeOf } from '../error-codes.ts'
import { CommonsError } from '../errors.ts'
import type { Logger } from '../log.ts'

/** Renders any error as an OpenAI-shaped `{ error: { message, type, code } }`; internal errors are logged, not echoed. */
export function errorResponse(c: Context, err: unknown, log: Logger): Response {
  const code = errorCodeOf(err)
  if (!code.known || !(err instanceof CommonsError)) {
    log.error({ err, path: c.req.path }, 'internal error')
    return c.json(
      {
        error: { message: 'Internal error; see the node log.', type: 'server_error', code: 'internal_error' },
      },
      500,
    )
  }
  const details = err.details === undefined ? {} : { details: err.details }
  return c.json(
    { error: { message: err.message, type: code.type, code: err.name, ...details } },
    code.status as ContentfulStatusCode,
  )
}
