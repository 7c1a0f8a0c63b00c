import type { Context } from 'hono'
import type { z } from 'zod'
import { InvalidInputError } from '../errors.ts'
import { MAX_JSON_BODY_BYTES } from './constants.ts'

/**
 * Reads a JSON object body (an empty body is `{}`), bounded in size. The use case it is handed to
 * validates it with its own schema, the same one the CLI's input goes through.
 */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
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
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InvalidInputError('The request body must be a JSON object.')
  return raw as Record<string, unknown>
}

/** Reads and validates a JSON body; malformed or invalid input becomes an InvalidInputError naming the field. */
export async function parseBody<T extends z.ZodTypeAny>(c: Context, schema: T): Promise<z.infer<T>> {
  const raw = await readJsonObject(c)
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body'
    throw new InvalidInputError(`Invalid ${field}: ${issue.message}.`, { details: { field } })
  }
  return parsed.data
}
