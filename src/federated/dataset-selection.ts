import type { TokenDataset } from '../training/index.ts'
import { DatasetUseRefusedError } from './errors.ts'
import type { TrainingJobSpec } from './job-spec.ts'

/** One registered dataset of a member's local data (it never leaves the node). */
export interface LocalDataset {
  id: bigint
  train: TokenDataset
  heldOut?: TokenDataset
}

/** What a round trains on after the dataset checks: the usable datasets joined, and their sizes. */
export interface SelectedData {
  train: TokenDataset
  heldOut?: TokenDataset
  /** The datasets trained on and their training tokens (undefined: the job names no datasets). */
  parts?: { id: bigint; tokens: number }[]
}

/**
 * Picks what a member trains on this round (compute-to-data): for a job that names datasets, only the
 * member's datasets the chain says it may use for the job's purpose (`refusals`: one reason or undefined
 * per dataset, read just before the round, so a withdrawal stops its use from the next round on). Throws
 * DatasetUseRefusedError, with every reason, when nothing is left, when the job names datasets and the
 * member joined with an unregistered corpus, or when the member's data is registered and the job names none.
 */
export async function selectDatasets(
  spec: TrainingJobSpec,
  data: { train: TokenDataset; heldOut?: TokenDataset; datasets?: LocalDataset[] },
  refusals: (ids: bigint[]) => Promise<(string | undefined)[]>,
): Promise<SelectedData & { refused: string[] }> {
  if (spec.data === undefined) {
    if (data.datasets !== undefined) {
      throw new DatasetUseRefusedError(
        `The job names no datasets nor purpose, and this node's data is registered under consent terms: it trains only for jobs that name its datasets (${data.datasets.map((d) => d.id).join(', ')}) and a purpose they allow.`,
      )
    }
    return { train: data.train, heldOut: data.heldOut, refused: [] }
  }
  if (data.datasets === undefined) {
    throw new DatasetUseRefusedError(
      `The job trains only on registered datasets (${spec.data.datasets.join(', ')}); this node joined with an unregistered corpus. Join with --dataset <id>=<path>.`,
    )
  }
  const reasons = await refusals(data.datasets.map((d) => d.id))
  const usable = data.datasets.filter((_, i) => reasons[i] === undefined)
  const refused = reasons.filter((r): r is string => r !== undefined)
  if (usable.length === 0) {
    throw new DatasetUseRefusedError(
      `This node trains on none of its datasets for this job: ${refused.join('; ')}.`,
    )
  }
  return {
    ...joinDatasets(usable),
    parts: usable.map((d) => ({ id: d.id, tokens: d.train.tokens.length })),
    refused,
  }
}

/** Several datasets as one training stream and one held-out stream, in the given order. */
export function joinDatasets(sets: LocalDataset[]): { train: TokenDataset; heldOut?: TokenDataset } {
  const heldOuts = sets.flatMap((d) => (d.heldOut === undefined ? [] : [d.heldOut]))
  return {
    train: joinTokens(sets.map((d) => d.train)),
    heldOut: heldOuts.length === 0 ? undefined : joinTokens(heldOuts),
  }
}

function joinTokens(sets: TokenDataset[]): TokenDataset {
  if (sets.length === 1) return sets[0]!
  const out = new Uint16Array(sets.reduce((n, s) => n + s.tokens.length, 0))
  let at = 0
  for (const s of sets) {
    out.set(s.tokens, at)
    at += s.tokens.length
  }
  return { tokens: out }
}
