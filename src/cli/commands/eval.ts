import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { EvaluationReport } from '../../inference/index.ts'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

interface Attested {
  reportRoot: string
  attestations: { evaluation: string; value: string; transactionHash: string; releasable: boolean }[]
}

/** `commons eval run|attest`: measure a version with llama.cpp, then attest the figures as an evaluator. */
export function registerEval(program: Command): void {
  const evaluation = program.command('eval').description('evaluate model versions: run, attest')
  evaluation
    .command('run')
    .description('run a version with llama.cpp over held-out text (perplexity) and evaluation suites')
    .argument('<model@version>', 'the version to evaluate, e.g. commons-demo@2')
    .requiredOption('--held-out <file>', 'held-out text file, UTF-8 (`--data` is the global data-dir option)')
    .option(
      '--suite <file>',
      'evaluation suite (JSON; see docs/evaluations.md); repeat it',
      collect,
      [] as string[],
    )
    .option('--context <tokens>', 'tokens per perplexity window (default 512)')
    .option('--attest', 'attest the figures at once, signed by --account (an approved evaluator)')
    .action(
      async (
        model: string,
        o: { heldOut: string; suite: string[]; context?: string; attest?: boolean },
        cmd: Command,
      ) => {
        const ctx = await commandContext(cmd)
        const node = await requireNode(ctx.dataDir)
        const run = await node.json<{ reportRoot: string; report: EvaluationReport }>(
          'POST',
          '/api/eval/run',
          {
            model,
            data: resolve(o.heldOut),
            suites: o.suite.map((f) => resolve(f)),
            contextSize: o.context === undefined ? undefined : Number(o.context),
          },
        )
        const attested = o.attest
          ? await node.json<Attested>('POST', '/api/eval/attest', {
              account: ctx.account,
              model,
              report: run.reportRoot,
            })
          : undefined
        print(ctx.opts, { ...run, attested }, (r) =>
          [
            `evaluated ${r.report.model}@${r.report.versionId} (${r.report.contentRoot})`,
            `  perplexity ${r.report.perplexity.value.toFixed(4)} over ${r.report.perplexity.scoredTokens} tokens (${r.report.perplexity.windows} windows of ${r.report.perplexity.contextSize})`,
            ...r.report.suites.map(
              (s) => `  ${s.name} pass rate ${s.passRate.toFixed(4)} (${s.passed}/${s.total})`,
            ),
            `  report ${r.reportRoot} (in the store)`,
            ...(r.attested
              ? formatAttested(r.attested)
              : [`  attest with \`commons eval attest ${model} --report ${r.reportRoot}\``]),
          ].join('\n'),
        )
      },
    )
  evaluation
    .command('attest')
    .description(
      "attest a report's figures for a version on chain (signed by --account, an approved evaluator)",
    )
    .argument('<model@version>', 'the evaluated version')
    .requiredOption('--report <root>', 'content root of the report `eval run` printed')
    .action(async (model: string, o: { report: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const r = await node.json<Attested>('POST', '/api/eval/attest', {
        account: ctx.account,
        model,
        report: o.report,
      })
      print(ctx.opts, r, (x) => formatAttested(x).join('\n'))
    })
}

function collect(v: string, all: string[]): string[] {
  return [...all, v]
}

function formatAttested(r: Attested): string[] {
  const last = r.attestations.at(-1)
  return [
    ...r.attestations.map((a) => `  attested ${a.evaluation} = ${a.value} (tx ${a.transactionHash})`),
    `  release policy ${last?.releasable ? 'met' : 'not met yet'}`,
  ]
}
