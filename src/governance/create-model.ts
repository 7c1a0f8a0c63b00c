import {
  createModel as createModelAction,
  DEFAULT_GOVERNANCE,
  getChainTime,
  type ModelInfo,
} from '../chain/index.ts'
import { InvalidInputError } from '../errors.ts'
import type { GovernanceContext } from './context.ts'
import { modelDto, type VersionDto } from './dtos.ts'
import { type CreateModelInput, createModelInput, parseInput } from './schemas.ts'

/** Creates a co-owned model (shares, governor, timelock) in one transaction. */
export async function createModel(c: GovernanceContext, input: CreateModelInput) {
  const p = parseInput(createModelInput, input)
  const owners = await Promise.all(
    p.owners.map(async (o) => ({ address: await c.directory.address(o.owner), shares: o.shares })),
  )
  if (new Set(owners.map((o) => o.address.toLowerCase())).size !== owners.length)
    throw new InvalidInputError('Invalid owners: an owner is listed twice (by name and by address).', {
      details: { field: 'owners' },
    })
  const settings = {
    votingDelay: Number(p.settings?.votingDelay ?? DEFAULT_GOVERNANCE.votingDelay),
    votingPeriod: Number(p.settings?.votingPeriod ?? DEFAULT_GOVERNANCE.votingPeriod),
    proposalThreshold: p.settings?.proposalThreshold ?? DEFAULT_GOVERNANCE.proposalThreshold,
    quorumPercent: p.settings?.quorumPercent ?? DEFAULT_GOVERNANCE.quorumPercent,
    timelockDelay: p.settings?.timelockDelay ?? DEFAULT_GOVERNANCE.timelockDelay,
  }
  const cardURI = p.cardURI ?? ''
  const writer = await c.writerFor(p.account)
  const created = await createModelAction(writer, {
    name: p.name,
    symbol: p.symbol ?? deriveSymbol(p.name),
    cardURI,
    owners,
    settings,
  })
  // Everything about a new model is known from the input and the event: no need to read it back.
  const model: ModelInfo = {
    id: created.modelId,
    name: p.name,
    cardURI,
    shares: created.shares,
    timelock: created.timelock,
    governor: created.governor,
    creator: writer.wallet.account.address,
    createdAt: await getChainTime(c.reader, created.blockHash),
    totalShares: owners.reduce((sum, o) => sum + o.shares, 0n),
    policy: {
      open: true,
      promptPricePer1k: 0n,
      completionPricePer1k: 0n,
      requestsPerMinute: 0,
      termsURI: '',
      termsHash: `0x${'0'.repeat(64)}`,
    },
    latestPublishedVersion: 0n,
    settings: {
      votingDelay: BigInt(settings.votingDelay),
      votingPeriod: BigInt(settings.votingPeriod),
      quorumPercent: settings.quorumPercent,
      timelockDelay: settings.timelockDelay,
    },
  }
  return { ...modelDto(model), versions: [] as VersionDto[], transactionHash: created.transactionHash }
}

/** A share symbol from a model name: its letters and digits, upper case, at most 8. */
function deriveSymbol(name: string): string {
  const s = name
    .replace(/[^a-z0-9]/gi, '')
    .toUpperCase()
    .slice(0, 8)
  return s.length > 0 ? s : 'SHARE'
}
