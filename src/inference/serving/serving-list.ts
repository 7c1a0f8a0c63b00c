import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { writeFileAtomic } from '../../atomic-file.ts'
import { InvalidInputError } from '../../errors.ts'

const ModelRef = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s@]+(@\d+)?$/, 'a model is `name`, `id` or `name@version`')

const ServingFileSchema = z.object({ version: z.literal(1), models: z.array(ModelRef) }).strict()

/**
 * The models this node should load and announce (`name` = latest published version, `name@version` = pinned),
 * as written by `commons serve`. The node root reads it at start.
 */
export async function readServingList(path: string): Promise<string[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const parsed = ServingFileSchema.safeParse(safeJson(text))
  if (!parsed.success) {
    throw new InvalidInputError(`${path} is not a valid serving list; fix it or run \`commons serve\` again.`)
  }
  return parsed.data.models
}

/** Adds (or with `remove`, removes) a model reference; returns the new list. */
export async function updateServingList(
  path: string,
  model: string,
  options: { remove?: boolean } = {},
): Promise<string[]> {
  const ref = ModelRef.safeParse(model)
  if (!ref.success)
    throw new InvalidInputError(`'${model}' is not a model reference: use a name, an id or name@version.`)
  const current = await readServingList(path)
  const next =
    options.remove === true ? current.filter((m) => m !== model) : [...new Set([...current, model])]
  await writeFileAtomic(path, `${JSON.stringify({ version: 1, models: next }, null, 2)}\n`)
  return next
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
