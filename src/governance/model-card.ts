import { z } from 'zod'
import type { ModelCardFields } from './schemas.ts'

// A version's model card: JSON kept in the content store, named on chain by its content root
// (`commons:card:<root>`), so the card cannot change without the URI the proposal recorded changing too.

/** The URI scheme of a card held in the content store. */
export const CARD_URI_PREFIX = 'commons:card:'

const evaluationResult = z
  .object({
    evaluation: z.string().max(32),
    value: z.string().max(64),
    evaluator: z.string().max(64).optional(),
    reportRoot: z.string().max(80).optional(),
  })
  .strict()

/** A model card as stored (and read back, validated: a card is bytes someone else may have written). */
export const modelCardSchema = z
  .object({
    schema: z.literal('commons/model-card@1'),
    model: z.string().max(64),
    contentRoot: z.string().max(80),
    format: z.string().max(32),
    size: z.string().max(32),
    intendedUse: z.string().max(4_000),
    limits: z.string().max(4_000),
    ethicsStatement: z.string().max(8_000),
    /** What made the version (datasets, members, rounds, base version): filled in by lineage; null until then. */
    lineage: z.unknown().nullable(),
    /** Results known when the card was written; attestations on chain are the ones a release counts. */
    evaluations: z.array(evaluationResult).max(32),
    createdAt: z.string().max(40),
  })
  .strict()

export type ModelCard = z.infer<typeof modelCardSchema>

/** The card of a new version from what the owners say and what the version is. */
export function buildModelCard(
  v: { model: string; contentRoot: string; format: string; size: bigint },
  fields: ModelCardFields | undefined,
  now: Date = new Date(),
): ModelCard {
  return {
    schema: 'commons/model-card@1',
    model: v.model,
    contentRoot: v.contentRoot,
    format: v.format,
    size: v.size.toString(),
    intendedUse: fields?.intendedUse ?? '',
    limits: fields?.limits ?? '',
    ethicsStatement: fields?.ethicsStatement ?? '',
    lineage: null,
    evaluations: [],
    createdAt: now.toISOString(),
  }
}

/** `commons:card:<root>` → the card's content root (hex, no 0x), or undefined for other URIs. */
export function cardRootOf(uri: string): string | undefined {
  if (!uri.startsWith(CARD_URI_PREFIX)) return undefined
  const root = uri.slice(CARD_URI_PREFIX.length)
  return /^[0-9a-f]{64}$/.test(root) ? root : undefined
}
