import type { Context } from 'hono'
import type { z } from 'zod'
import { InvalidInputError } from '../errors.ts'
import { MAX_JSON_BODY_BYTES } from './constants.ts'

/** Reads and validates a JSON body; malformed or invalid input becomes an InvalidInputError naming the field. */
export async function parseBody<T extends z.ZodTypeAny>(c: Context, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text()
  if (Buffer.byteLength(text) > MAX_JSON_BODY_BYTES) {
    throw new InvalidInputError(`The request body is over ${MAX_JSON_BODY_BYTES} bytes.`)
  }
  let raw: unknown
  try {
    raw = text.length === 0 ? {} : JSON.parse(text)
  } catch {
    throw new InvalidInputError('The request body is not valid JSON.')
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body'
    throw new InvalidInputError(`Invalid ${field}: ${issue.message}.`, { details: { field } })
  }
  return parsed.data
}
