import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { flattenTensorMap, type Tensor, type TensorMap } from '../aggregation/index.ts'
import { writeFileAtomic } from '../atomic-file.ts'
import { JOB_STATE_FILE } from './constants.ts'
import { JobStateCorruptError } from './errors.ts'
import { trainingJobSpecSchema } from './job-spec.ts'
import { sha256Hex } from './wire-bytes.ts'
import { tensorsFromFlat } from './wire-model.ts'

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/) as unknown as z.ZodType<`0x${string}`>

/** One committed round as this node saw it. */
export const roundSummarySchema = z.object({
  round: z.number().int().positive(),
  modelHash: hex32,
  members: z.array(z.string()),
  dropped: z.array(z.string()),
  contributions: z.array(z.object({ peerId: z.string(), address: z.string(), amount: z.string() })),
  meanLoss: z.number().optional(),
  meanHeldOutLoss: z.number().optional(),
  wallMs: z.number().optional(),
})

/** What a node persists about a job after each committed round (atomically, next to the global model). */
export const jobStateSchema = z.object({
  jobId: z.string().regex(/^\d+$/),
  spec: trainingJobSpecSchema,
  role: z.enum(['coordinator', 'participant']),
  status: z.enum(['running', 'finished', 'failed', 'waiting']),
  committedRounds: z.number().int().min(0),
  global: z.object({
    round: z.number().int().min(0),
    hash: hex32,
    /** Names and GGUF shapes of the tensors, in the order the saved model file holds their values. */
    layout: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().positive()) })),
  }),
  history: z.array(roundSummarySchema),
  error: z.string().optional(),
  resultRoot: hex32.optional(),
  resultPath: z.string().optional(),
  versionId: z.string().optional(),
  proposalId: z.string().optional(),
})

export type JobState = z.infer<typeof jobStateSchema>
export type RoundSummary = z.infer<typeof roundSummarySchema>

/** A node's copy of its jobs under `<dir>/<jobId>/`: job.json plus global.f32 (the last committed model). */
export class JobStateStore {
  constructor(private readonly dir: string) {}

  /** The folder of one job. */
  jobDir(jobId: bigint | string): string {
    return join(this.dir, jobId.toString())
  }

  /** Writes the global model, then the state naming it; each write is atomic (temp + fsync + rename). */
  async save(state: JobState, global?: TensorMap): Promise<void> {
    const dir = this.jobDir(state.jobId)
    await mkdir(dir, { recursive: true })
    if (global !== undefined) await this.savePendingGlobal(state.jobId, state.global.round, global)
    await writeFileAtomic(join(dir, JOB_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`)
  }

  /** Reads a job's state, or undefined if this node has none. */
  async load(jobId: bigint | string): Promise<JobState | undefined> {
    let text: string
    try {
      text = await readFile(join(this.jobDir(jobId), JOB_STATE_FILE), 'utf8')
    } catch {
      return undefined
    }
    const parsed = jobStateSchema.safeParse(JSON.parse(text))
    if (!parsed.success)
      throw new JobStateCorruptError(
        `The state of training job ${jobId} is invalid; delete ${this.jobDir(jobId)} to forget it.`,
      )
    return parsed.data
  }

  /**
   * Writes a round's model before its commitment goes on chain, so a coordinator that dies between the
   * commit and the state write still holds the model the chain names.
   */
  async savePendingGlobal(jobId: bigint | string, round: number, global: TensorMap): Promise<void> {
    const dir = this.jobDir(jobId)
    await mkdir(dir, { recursive: true })
    const data = flattenTensorMap(global)
    await writeFileAtomic(
      join(dir, `global-${round}.f32`),
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    )
  }

  /** True when this node holds the global model of a round and it hashes to `hash`. */
  async hasGlobal(jobId: bigint | string, round: number, hash: `0x${string}`): Promise<boolean> {
    const data = await this.readFlat(jobId, round)
    return data !== undefined && sha256Hex(data) === hash
  }

  /** Reads the global model the state names and checks it against the recorded hash and layout. */
  async loadGlobal(state: JobState): Promise<Map<string, Tensor>> {
    const data = await this.readFlat(state.jobId, state.global.round)
    const tensors = data === undefined ? undefined : tensorsFromFlat(state.global.layout, data)
    if (data === undefined || tensors === undefined || sha256Hex(data) !== state.global.hash) {
      throw new JobStateCorruptError(
        `The saved global model of job ${state.jobId} (round ${state.global.round}) is missing or does not match its hash; delete ${this.jobDir(state.jobId)} and take part again.`,
      )
    }
    return tensors
  }

  private async readFlat(jobId: bigint | string, round: number): Promise<Float32Array | undefined> {
    const bytes = await readFile(join(this.jobDir(jobId), `global-${round}.f32`)).catch(() => undefined)
    if (bytes === undefined || bytes.byteLength % 4 !== 0) return undefined
    const data = new Float32Array(bytes.byteLength / 4)
    new Uint8Array(data.buffer).set(bytes)
    return data
  }

  /** Every job this node holds state for. */
  async list(): Promise<JobState[]> {
    const names = await readdir(this.dir).catch(() => [] as string[])
    const out: JobState[] = []
    for (const name of names.filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b))) {
      const s = await this.load(name).catch(() => undefined)
      if (s !== undefined) out.push(s)
    }
    return out
  }
}
