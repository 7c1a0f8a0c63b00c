import type { Command } from 'commander'
import { DEFAULT_GOVERNANCE as D, GOVERNANCE_MINIMUMS as MIN } from '../../chain/index.ts'
import { InvalidInputError } from '../../errors.ts'
import { withClient } from '../context.ts'
import { formatModel } from '../format.ts'

/** `commons model create`: a new co-owned model with its shares, governor and timelock, in one transaction. */
export function registerModelCreate(model: Command): void {
  model
    .command('create')
    .description('create a co-owned model: shares, governor and timelock in one transaction')
    .requiredOption('--name <name>', 'model name (unique)')
    .requiredOption(
      '--owners <list>',
      'owners and their shares: <address|account>=<shares>,… e.g. alice=40,bob=35,0xabc…=25',
    )
    .option('--symbol <symbol>', 'share token symbol (default: from the name)')
    .option('--card-uri <uri>', 'model card URI')
    .option(
      '--voting-delay <seconds>',
      `seconds between proposal and vote start (at least ${MIN.votingDelay})`,
      String(D.votingDelay),
    )
    .option(
      '--voting-period <seconds>',
      `seconds voting stays open (at least ${MIN.votingPeriod})`,
      String(D.votingPeriod),
    )
    .option(
      '--quorum <percent>',
      'percent of all shares that must vote for or abstain on routine proposals (minting, settings and treasury moves always need more than half of all shares voting for)',
      String(D.quorumPercent),
    )
    .option(
      '--timelock-delay <seconds>',
      `seconds between queue and execute (at least ${MIN.timelockDelay})`,
      String(D.timelockDelay),
    )
    .option('--proposal-threshold <shares>', 'shares needed to propose', String(D.proposalThreshold))
    .action(async (o: Record<string, string>, cmd: Command) => {
      const owners = parseOwners(o.owners!)
      await withClient(
        cmd,
        (client, ctx) =>
          client.createModel({
            account: ctx.account,
            name: o.name!,
            symbol: o.symbol,
            cardURI: o.cardUri,
            owners,
            settings: {
              votingDelay: o.votingDelay,
              votingPeriod: o.votingPeriod,
              quorumPercent: o.quorum,
              timelockDelay: o.timelockDelay,
              proposalThreshold: o.proposalThreshold,
            },
          }),
        (m) => `Created\n${formatModel(m)}\n  tx ${m.transactionHash}`,
      )
    })
}

/** Parses `a=40,b=35` into owner entries; rejects malformed pairs before anything is sent. */
export function parseOwners(list: string): { owner: string; shares: string }[] {
  const owners = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((pair) => {
      const [owner, shares, extra] = pair.split('=')
      if (!owner || shares === undefined || extra !== undefined) {
        throw new InvalidInputError(
          `"${pair}" is not <address|account>=<shares>: write e.g. alice=40,0xabc…=60.`,
        )
      }
      return { owner: owner.trim(), shares: shares.trim() }
    })
  if (owners.length === 0) throw new InvalidInputError('--owners lists no owner: write e.g. alice=40,bob=60.')
  return owners
}
