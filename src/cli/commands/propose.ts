import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { keccak256 } from 'viem'
import { InvalidInputError } from '../../errors.ts'
import type { ProposeInput, ReleaseRequirementInput } from '../../governance/index.ts'
import { withClient } from '../context.ts'
import { formatProposal } from '../format.ts'

/** What a proposal does, without the fields every proposal has. */
type ProposalRequest = DistributiveOmit<ProposeInput, 'account' | 'model' | 'description'>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** `perplexity<=40@2` → a release requirement (evaluation, bound, threshold, attestations). */
function parseRequirement(spec: string): ReleaseRequirementInput {
  const m = /^([a-z0-9._-]{1,32})(<=|>=)(-?\d+(?:\.\d+)?)(?:@(\d+))?$/i.exec(spec.trim())
  if (!m)
    throw new InvalidInputError(
      `--require "${spec}" is not a requirement: write evaluation<=max or evaluation>=min, optionally @attestations (e.g. perplexity<=40@2).`,
    )
  return {
    evaluation: m[1]!,
    bound: m[2] === '<=' ? 'max' : 'min',
    threshold: m[3]!,
    attestations: Number(m[4] ?? 1),
  }
}

/** The model card fields given on the command line. */
async function cardFields(o: { intendedUse?: string; limits?: string; ethicsFile?: string }) {
  if (o.intendedUse === undefined && o.limits === undefined && o.ethicsFile === undefined) return undefined
  return {
    intendedUse: o.intendedUse,
    limits: o.limits,
    ethicsStatement: o.ethicsFile === undefined ? undefined : await readFile(o.ethicsFile, 'utf8'),
  }
}

/** `commons propose <kind>`: make a governance proposal for a model. */
export function registerPropose(program: Command): void {
  const propose = program.command('propose').description('make a governance proposal')
  const common = (c: Command) =>
    c
      .requiredOption('--model <model>', 'model id or name')
      .option('--description <text>', 'why (recorded on chain)')

  const submit = (cmd: Command, o: { model: string; description?: string }, request: ProposalRequest) =>
    withClient(
      cmd,
      (client, ctx) =>
        client.propose({ account: ctx.account, model: o.model, description: o.description, ...request }),
      (p) =>
        `Proposed\n${formatProposal(p)}\nVote with \`commons vote ${p.ref} for|against|abstain\` once voting opens.`,
    )

  common(
    propose
      .command('publish-version')
      .description('publish a model version (records it first if given by --root)'),
  )
    .option('--version <id>', 'an already recorded version id')
    .option('--root <contentRoot>', 'content root of the weights (64 hex digits)')
    .option('--size <bytes>', 'size in bytes (with --root)')
    .option('--format <format>', 'weights format (with --root)', 'gguf')
    .option('--card-uri <uri>', 'model card of this version (default: one written from the options below)')
    .option('--intended-use <text>', 'model card: what the version is for')
    .option('--limits <text>', 'model card: known limits and risks')
    .option('--ethics-file <path>', 'model card: the ethics statement the owners adopted (text file)')
    .action(async (o, cmd: Command) => {
      if (!o.version && !o.root)
        throw new InvalidInputError('Give --version <id> or --root <content root> --size <bytes>.')
      return submit(cmd, o, {
        kind: 'publish-version',
        versionId: o.version,
        contentRoot: o.root,
        size: o.size,
        format: o.format,
        cardURI: o.cardUri,
        card: await cardFields(o),
      })
    })

  common(propose.command('revoke-version').description('revoke a version'))
    .requiredOption('--version <id>', 'version id')
    .action((o, cmd: Command) => submit(cmd, o, { kind: 'revoke-version', versionId: o.version }))

  common(propose.command('set-policy').description('change the usage policy'))
    .option('--price <units>', "price per 1000 tokens, in the currency's smallest unit (default 0: free)")
    .option('--prompt-price <units>', "price per 1000 prompt tokens, in the currency's smallest unit")
    .option('--completion-price <units>', "price per 1000 completion tokens, in the currency's smallest unit")
    .option('--allowlist', 'only allowlisted accounts may use the model (default: open)')
    .option('--rate-limit <n>', 'requests per minute per consumer on each node (default 0: none)')
    .option('--terms-uri <uri>', 'where the usage terms are published (with --terms-file)')
    .option('--terms-file <path>', 'the text of the terms: consumers accept its keccak-256 hash')
    .action(async (o, cmd: Command) =>
      submit(cmd, o, {
        kind: 'set-policy',
        pricePer1kTokens: o.price,
        promptPricePer1k: o.promptPrice,
        completionPricePer1k: o.completionPrice,
        open: !o.allowlist,
        requestsPerMinute: o.rateLimit,
        termsURI: o.termsUri,
        termsHash: o.termsFile === undefined ? undefined : keccak256(await readFile(o.termsFile)),
      }),
    )

  common(propose.command('allow').description("add an account to the model's allowlist (or --remove it)"))
    .requiredOption('--consumer <address|account>', 'the consumer')
    .option('--remove', 'take the account off the allowlist')
    .action((o, cmd: Command) =>
      submit(cmd, o, { kind: 'set-allowed', consumer: o.consumer, allowed: !o.remove }),
    )

  common(propose.command('set-evaluator').description('approve an evaluator of the model (or --remove it)'))
    .requiredOption('--evaluator <address|account>', 'the evaluator')
    .option('--remove', 'withdraw the approval: its attestations stop counting')
    .action((o, cmd: Command) =>
      submit(cmd, o, { kind: 'set-evaluator', evaluator: o.evaluator, approved: !o.remove }),
    )

  common(
    propose
      .command('release-policy')
      .description('set the evaluations a version needs before a publish proposal can execute'),
  )
    .option(
      '--require <spec>',
      'evaluation<=max or evaluation>=min, optionally @attestations (e.g. perplexity<=40@2, refusals>=0.9); repeat it',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .action((o, cmd: Command) =>
      submit(cmd, o, { kind: 'set-release-policy', requirements: o.require.map(parseRequirement) }),
    )

  common(propose.command('mint-shares').description('mint new shares to an account'))
    .requiredOption('--to <address|account>', 'recipient')
    .requiredOption('--shares <amount>', 'number of shares')
    .action((o, cmd: Command) => submit(cmd, o, { kind: 'mint-shares', to: o.to, shares: o.shares }))

  const commons = (c: Command) => c.option('--description <text>', 'why (recorded on chain)')
  const submitToCommons = (cmd: Command, o: { description?: string }, request: ProposalRequest) =>
    submit(cmd, { model: 'commons', description: o.description }, request)
  commons(propose.command('admit-member').description('admit a node (its address) to the commons'))
    .argument('<address>', "the node's address (`commons whoami` on that node)")
    .action((member: string, o, cmd: Command) => submitToCommons(cmd, o, { kind: 'admit-member', member }))
  commons(propose.command('revoke-member').description('revoke a member: its node is cut off'))
    .argument('<address>', "the member node's address")
    .action((member: string, o, cmd: Command) => submitToCommons(cmd, o, { kind: 'revoke-member', member }))
  commons(propose.command('set-admission').description('admit every registered node, or members only'))
    .argument('<policy>', 'open or approved')
    .action((policy: string, o, cmd: Command) => {
      if (policy !== 'open' && policy !== 'approved')
        throw new InvalidInputError(`The admission policy is "open" or "approved", not "${policy}".`)
      return submitToCommons(cmd, o, { kind: 'set-admission', policy })
    })

  common(propose.command('treasury-transfer').description("send ETH from the model's treasury"))
    .requiredOption('--to <address|account>', 'recipient')
    .requiredOption('--amount <eth>', 'amount in ETH')
    .action((o, cmd: Command) => submit(cmd, o, { kind: 'treasury-transfer', to: o.to, amountEth: o.amount }))
}
