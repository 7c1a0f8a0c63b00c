import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidInputError, NotFoundError } from '../errors.ts'
import type { Governance } from '../governance/index.ts'
import {
  buildEvaluationReport,
  EvaluationDataError,
  type EvaluationReport,
  evaluateModel,
  evaluationReportSchema,
  MAX_EVAL_TEXT_BYTES,
  parseEvaluationSuite,
  parseModelRef,
  reportFigures,
} from '../inference/index.ts'
import type { Logger } from '../log.ts'
import type { ContentStore } from '../store/index.ts'
import { getJson, putJson, withTempDir } from './store-json.ts'

/** Largest evaluation report read back from the store (bytes). */
const MAX_REPORT_BYTES = 8 * 1024 * 1024
/** URI scheme of a report in the content store, as attestations carry it. */
const REPORT_URI_PREFIX = 'commons:eval:'

/** What evaluations need: governance (versions, attestations), the store (weights, reports), peers' content. */
export interface EvaluationsComponents {
  governance: Pick<Governance, 'listVersions' | 'attest'>
  store: ContentStore
  fetch(root: string): Promise<unknown>
  threads?: number
  log: Logger
}

/** `commons eval run|attest`: measure a version with llama.cpp, keep the report, attest its figures. */
export interface Evaluations {
  run(input: { model: string; data: string; suites?: string[]; contextSize?: number }): Promise<{
    reportRoot: string
    report: EvaluationReport
  }>
  attest(input: { account: string; model: string; report: string }): Promise<{
    reportRoot: string
    attestations: Awaited<ReturnType<Governance['attest']>>[]
  }>
}

/** Builds the evaluation use cases over the node's store and governance. */
export function createEvaluations(c: EvaluationsComponents): Evaluations {
  const version = async (ref: string) => {
    const { name, version: id } = parseModelRef(ref)
    if (id === undefined)
      throw new InvalidInputError(`Name the version to evaluate: <model>@<version>, not "${ref}".`, {
        details: { field: 'model' },
      })
    const found = (await c.governance.listVersions(name)).find((v) => v.id === id)
    if (found === undefined)
      throw new NotFoundError(`Model ${name} has no version ${id}; see \`commons model show ${name}\`.`)
    return { name, ...found, root: found.contentRoot.slice(2).toLowerCase() }
  }

  return {
    async run(input) {
      const v = await version(input.model)
      if (!c.store.has(v.root) || c.store.missingChunks(v.root).length > 0) await c.fetch(v.root)
      const text = await readText(input.data)
      const suites = await Promise.all((input.suites ?? []).map(readSuite))
      const run = await withTempDir(async (dir) => {
        const path = join(dir, `${v.root}.gguf`)
        await c.store.export(v.root, path)
        return evaluateModel(
          { path, contentRoot: v.root },
          { text, suites },
          { threads: c.threads, contextSize: input.contextSize },
        )
      })
      const report = buildEvaluationReport({ model: v.name, modelId: v.modelId, versionId: v.id }, run)
      const reportRoot = await putJson(c.store, report, 'evaluation-report.json')
      c.log.info(
        { model: v.name, version: v.id, perplexity: report.perplexity.value, reportRoot },
        'evaluation:run:done',
      )
      return { reportRoot, report }
    },

    async attest(input) {
      const v = await version(input.model)
      const reportRoot = input.report.replace(/^0x/, '').toLowerCase()
      const parsed = evaluationReportSchema.safeParse(await getJson(c.store, reportRoot, MAX_REPORT_BYTES))
      if (!parsed.success)
        throw new NotFoundError(
          `This node holds no valid evaluation report ${reportRoot}; run \`commons eval run ${input.model} --data <file>\` first.`,
        )
      const report = parsed.data
      if (report.contentRoot !== v.root || report.versionId !== v.id)
        throw new InvalidInputError(
          `Report ${reportRoot} evaluated content ${report.contentRoot} (version ${report.versionId}), not version ${v.id} of ${v.name}.`,
          { details: { field: 'report' } },
        )
      const attestations = []
      for (const f of reportFigures(report)) {
        attestations.push(
          await c.governance.attest({
            account: input.account,
            model: v.name,
            versionId: v.id,
            evaluation: f.evaluation,
            value: fixed(f.value),
            reportRoot,
            reportURI: `${REPORT_URI_PREFIX}${reportRoot}`,
          }),
        )
      }
      return { reportRoot, attestations }
    },
  }
}

/** A figure as the chain holds it: 6 decimals. */
function fixed(v: number): string {
  if (!Number.isFinite(v) || Math.abs(v) >= 1e24)
    throw new InvalidInputError(`The figure ${v} cannot be attested: it is not a finite number below 10^24.`)
  return v.toFixed(6)
}

async function readText(path: string): Promise<string> {
  const size = (
    await stat(path).catch((cause) => {
      throw new EvaluationDataError(`Cannot read the held-out text ${path}: ${(cause as Error).message}.`, {
        cause,
      })
    })
  ).size
  if (size > MAX_EVAL_TEXT_BYTES)
    throw new EvaluationDataError(
      `The held-out text ${path} is ${size} bytes; at most ${MAX_EVAL_TEXT_BYTES} are read.`,
    )
  return readFile(path, 'utf8')
}

async function readSuite(path: string) {
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (cause) {
    throw new EvaluationDataError(
      `Cannot read the evaluation suite ${path} as JSON: ${(cause as Error).message}.`,
      {
        cause,
      },
    )
  }
  return parseEvaluationSuite(json, path)
}
