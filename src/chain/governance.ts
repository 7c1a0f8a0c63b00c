import { formatEther, isAddress, parseEther, parseEventLogs } from 'viem'
import { InvalidInputError } from '../errors.ts'
import { castVote, type VoteChoice } from './actions/cast-vote.ts'
import { createModel } from './actions/create-model.ts'
import { getModel } from './actions/get-model.ts'
import { findModelId, listModels } from './actions/list-models.ts'
import { type ProposalCreated, readProposalStatus } from './actions/list-proposals.ts'
import { getVersion, listVersions } from './actions/list-versions.ts'
import { listNodes } from './actions/nodes.ts'
import { propose } from './actions/propose.ts'
import { proposeVersion } from './actions/propose-version.ts'
import { executeProposal, queueProposal } from './actions/queue-proposal.ts'
import { delegateVotes, getShares } from './actions/shares.ts'
import type { ChainReader, ChainWriter } from './chain-client.ts'
import { DEFAULT_GOVERNANCE } from './constants.ts'
import {
  ContractRevertedError,
  ModelNotFoundError,
  ProposalNotFoundError,
  ProposalStateError,
  translateChainError,
} from './errors.ts'
import { ModelGovernor, ModelRegistry } from './generated/artifacts.ts'
import {
  mintSharesCall,
  type ProposalCall,
  publishVersionCall,
  revokeVersionCall,
  setPolicyCall,
  treasuryTransferCall,
} from './proposal-calls.ts'
import { ProposalIndex } from './proposal-index.ts'
import type { GovernanceSettings, ModelInfo, ProposalInfo, VersionInfo } from './types.ts'

interface ModelContractsRef {
  id: bigint
  name: string
  shares: `0x${string}`
  timelock: `0x${string}`
  governor: `0x${string}`
}

/** What a proposal does, as people and the API ask for it. */
export type ProposalRequest =
  | {
      kind: 'publish-version'
      versionId?: string
      contentRoot?: string
      format?: string
      size?: string
      cardURI?: string
    }
  | { kind: 'revoke-version'; versionId: string }
  | { kind: 'set-policy'; pricePer1kTokens: string; open: boolean; policyURI?: string }
  | { kind: 'mint-shares'; to: string; shares: string }
  | { kind: 'treasury-transfer'; to: string; amountEth: string }

export interface GovernanceComponents {
  reader: ChainReader
  /** A writer that signs as the named local account (or address). */
  writerFor(account: string): Promise<ChainWriter>
  /** Resolves a local account name to its address, so owners can be given by name. */
  addressOf?(nameOrAddress: string): Promise<`0x${string}`>
}

/**
 * The co-ownership use cases over the chain actions: create a model, propose, vote, queue, execute, read.
 * Validates input before anything is sent, and returns plain JSON-safe data (bigints as decimal strings).
 */
export class Governance {
  private readonly proposals: ProposalIndex
  /** Model ids by name and their contract addresses: immutable once created, so cached. */
  private readonly contracts = new Map<string, ModelContractsRef>()

  constructor(private readonly c: GovernanceComponents) {
    this.proposals = new ProposalIndex(c.reader)
  }

  async createModel(p: {
    account: string
    name: string
    symbol?: string
    cardURI?: string
    owners: { owner: string; shares: string }[]
    settings?: Partial<Record<keyof GovernanceSettings, string | number>>
  }) {
    const name = p.name.trim()
    if (name.length === 0 || Buffer.byteLength(name) > 64) {
      throw new InvalidInputError('A model name is 1 to 64 bytes: pass --name <name>.')
    }
    if (p.owners.length === 0) {
      throw new InvalidInputError(
        'Give at least one owner: --owners <address=shares,...> (e.g. 0xabc…=40,0xdef…=60).',
      )
    }
    const seen = new Set<string>()
    const owners: { address: `0x${string}`; shares: bigint }[] = []
    for (const o of p.owners) {
      const address = await this.resolveAddress(o.owner, 'owner')
      if (seen.has(address.toLowerCase())) throw new InvalidInputError(`Owner ${address} is listed twice.`)
      seen.add(address.toLowerCase())
      owners.push({ address, shares: parseShares(o.shares, `shares of ${o.owner}`) })
    }
    const settings = parseSettings(p.settings ?? {})
    const symbol = p.symbol ?? deriveSymbol(name)
    const writer = await this.c.writerFor(p.account)
    const created = await createModel(writer, { name, symbol, cardURI: p.cardURI ?? '', owners, settings })
    // Everything about a new model is known from the input and the event: no need to read it back.
    const block = await this.c.reader.public.getBlock({ blockHash: created.blockHash })
    const model: ModelInfo = {
      id: created.modelId,
      name,
      cardURI: p.cardURI ?? '',
      shares: created.shares,
      timelock: created.timelock,
      governor: created.governor,
      creator: writer.wallet.account.address,
      createdAt: block.timestamp,
      totalShares: owners.reduce((sum, o) => sum + o.shares, 0n),
      policy: { pricePer1kTokens: 0n, open: true, policyURI: '' },
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

  async listModels() {
    return (await listModels(this.c.reader)).map(modelDto)
  }

  async showModel(idOrName: string) {
    const model = await this.model(idOrName)
    const versions = await listVersions(this.c.reader, model.id)
    return { ...modelDto(model), versions: versions.map(versionDto) }
  }

  async listVersions(idOrName: string) {
    const model = await this.model(idOrName)
    return (await listVersions(this.c.reader, model.id)).map(versionDto)
  }

  /** Records a candidate version (sender must hold shares); does not publish it. */
  async addVersion(p: {
    account: string
    model: string
    contentRoot: string
    format: string
    size: string
    cardURI?: string
  }) {
    const model = await this.modelRef(p.model)
    const contentRoot = parseRoot(p.contentRoot)
    const size = parsePositiveInt(p.size, 'size')
    if (!/^[a-z0-9._-]{1,32}$/i.test(p.format))
      throw new InvalidInputError(`Format "${p.format}" is invalid: use e.g. gguf.`)
    const registry = { address: this.c.reader.deployment.modelRegistry, abi: ModelRegistry.abi } as const
    const existingId = await this.c.reader.public.readContract({
      ...registry,
      functionName: 'versionIdOf',
      args: [model.id, contentRoot],
    })
    if (existingId !== 0n) return versionDto(await getVersion(this.c.reader, model.id, existingId))
    const writer = await this.c.writerFor(p.account)
    const id = await proposeVersion(writer, {
      modelId: model.id,
      contentRoot,
      format: p.format,
      size,
      cardURI: p.cardURI ?? '',
    })
    return versionDto(await getVersion(this.c.reader, model.id, id))
  }

  async propose(p: { account: string; model: string; description?: string } & ProposalRequest) {
    const model = await this.modelRef(p.model)
    const contracts = {
      registry: this.c.reader.deployment.modelRegistry,
      shares: model.shares,
      timelock: model.timelock,
    }
    let call: ProposalCall
    let summary: string
    switch (p.kind) {
      case 'publish-version': {
        let v: VersionDto | undefined
        if (p.contentRoot !== undefined) {
          v = await this.addVersion({
            account: p.account,
            model: model.id.toString(),
            contentRoot: p.contentRoot,
            format: p.format ?? 'gguf',
            size: p.size ?? '',
            cardURI: p.cardURI,
          })
        } else if (p.versionId !== undefined) {
          const versionId = parsePositiveInt(p.versionId, 'version')
          const versions = await listVersions(this.c.reader, model.id)
          const found = versions.find((x) => x.id === versionId)
          if (!found)
            throw new InvalidInputError(
              `Model ${model.name} has no version ${versionId} (it has ${versions.length}).`,
            )
          v = versionDto(found)
        } else
          throw new InvalidInputError(
            'publish-version needs --version <id> or --root <content root> --size <bytes>.',
          )
        if (v.status !== 'proposed')
          throw new InvalidInputError(`Version ${v.id} is ${v.status}, not proposed.`)
        call = publishVersionCall(contracts, model.id, BigInt(v.id))
        summary = `Publish version ${v.id} (${v.contentRoot}) of ${model.name}`
        break
      }
      case 'revoke-version': {
        const versionId = parsePositiveInt(p.versionId, 'version')
        call = revokeVersionCall(contracts, model.id, versionId)
        summary = `Revoke version ${versionId} of ${model.name}`
        break
      }
      case 'set-policy': {
        const price = parseNonNegativeInt(p.pricePer1kTokens, 'price per 1k tokens (wei)')
        call = setPolicyCall(contracts, model.id, {
          pricePer1kTokens: price,
          open: p.open,
          policyURI: p.policyURI ?? '',
        })
        summary = `Set policy of ${model.name}: ${price} wei per 1k tokens, ${p.open ? 'open' : 'allowlist only'}`
        break
      }
      case 'mint-shares': {
        const to = await this.resolveAddress(p.to, 'recipient')
        const amount = parseShares(p.shares, 'shares')
        call = mintSharesCall(contracts, to, amount)
        summary = `Mint ${formatEther(amount)} shares of ${model.name} to ${to}`
        break
      }
      case 'treasury-transfer': {
        const to = await this.resolveAddress(p.to, 'recipient')
        const amount = parseShares(p.amountEth, 'amount (ETH)')
        call = treasuryTransferCall(to, amount)
        summary = `Transfer ${formatEther(amount)} ETH from the treasury of ${model.name} to ${to}`
        break
      }
      default:
        throw new InvalidInputError(`Unknown proposal kind "${(p as { kind: string }).kind}".`)
    }
    const description = p.description?.trim() ? `${summary}\n\n${p.description.trim()}` : summary
    const writer = await this.c.writerFor(p.account)
    const id = await propose(writer, { governor: model.governor, calls: [call], description })
    const created = (await this.proposals.all(model)).find((x) => x.id === id)!
    return proposalDto(await readProposalStatus(this.c.reader, created))
  }

  async listProposals(modelIdOrName?: string) {
    const models =
      modelIdOrName === undefined ? await listModels(this.c.reader) : [await this.modelRef(modelIdOrName)]
    const all = await Promise.all(
      models.map(async (m) =>
        Promise.all((await this.proposals.all(m)).map((x) => readProposalStatus(this.c.reader, x))),
      ),
    )
    return all.flat().map(proposalDto)
  }

  async proposal(idOrRef: string) {
    return proposalDto(await readProposalStatus(this.c.reader, await this.findProposal(idOrRef)))
  }

  async vote(p: { account: string; proposal: string; support: string; reason?: string }) {
    if (!['for', 'against', 'abstain'].includes(p.support)) {
      throw new InvalidInputError(`A vote is "for", "against" or "abstain", not "${p.support}".`)
    }
    const created = await this.findProposal(p.proposal)
    const writer = await this.c.writerFor(p.account)
    const voter = writer.wallet.account.address
    // Send straight away (the simulation inside refuses without sending); explain a refusal afterwards.
    const tx = await castVote(writer, {
      governor: created.governor,
      proposalId: created.id,
      support: p.support as VoteChoice,
      reason: p.reason,
    }).catch((err) => this.explainRefusal(err, created, voter))
    return { ...proposalDto(await readProposalStatus(this.c.reader, created)), transactionHash: tx, voter }
  }

  /** Turns a governor refusal into a ProposalStateError that says when the step becomes possible. */
  private async explainRefusal(
    err: unknown,
    created: ProposalCreated,
    voter?: `0x${string}`,
  ): Promise<never> {
    const name = err instanceof ContractRevertedError ? err.details?.errorName : undefined
    if (name === 'GovernorAlreadyCastVote') {
      throw new ProposalStateError(
        `${voter} already voted on proposal ${created.ref}; each account votes once.`,
        { cause: err },
      )
    }
    if (name !== 'GovernorUnexpectedProposalState' && name !== 'TimelockUnexpectedOperationState') throw err
    const status = await readProposalStatus(this.c.reader, created)
    const now = (await this.c.reader.public.getBlock()).timestamp
    const why =
      status.state === 'pending'
        ? `voting opens in ${status.voteStart - now + 1n} s (at ${isoTime(status.voteStart)})`
        : status.state === 'active'
          ? `voting is open until ${isoTime(status.voteEnd)}`
          : status.state === 'queued'
            ? now < status.eta
              ? `it can be executed in ${status.eta - now} s (at ${isoTime(status.eta)})`
              : 'it is ready to execute'
            : status.state === 'succeeded'
              ? 'voting closed and it passed: queue it next'
              : `voting closed at ${isoTime(status.voteEnd)}`
    throw new ProposalStateError(`Proposal ${created.ref} is ${status.state}: ${why}. Nothing was sent.`, {
      cause: err,
    })
  }

  async votes(idOrRef: string) {
    const prop = await this.findProposal(idOrRef)
    const logs = await this.c.reader.public.getLogs({
      address: prop.governor,
      fromBlock: BigInt(this.c.reader.deployment.deployedAtBlock),
    })
    return parseEventLogs({ abi: ModelGovernor.abi, logs, eventName: 'VoteCast' })
      .filter((e) => e.args.proposalId === prop.id)
      .map((e) => ({
        voter: e.args.voter,
        support: (['against', 'for', 'abstain'] as const)[e.args.support] ?? 'unknown',
        weight: formatEther(e.args.weight),
        reason: e.args.reason,
        transactionHash: e.transactionHash,
      }))
  }

  async queue(p: { account: string; proposal: string }) {
    const created = await this.findProposal(p.proposal)
    const tx = await queueProposal(await this.c.writerFor(p.account), created).catch((err) =>
      this.explainRefusal(err, created),
    )
    return { ...proposalDto(await readProposalStatus(this.c.reader, created)), transactionHash: tx }
  }

  async execute(p: { account: string; proposal: string }) {
    const created = await this.findProposal(p.proposal)
    const tx = await executeProposal(await this.c.writerFor(p.account), created).catch((err) =>
      this.explainRefusal(err, created),
    )
    return { ...proposalDto(await readProposalStatus(this.c.reader, created)), transactionHash: tx }
  }

  async shares(p: { model: string; account: string }) {
    const model = await this.modelRef(p.model)
    const account = await this.resolveAddress(p.account, 'account')
    const s = await getShares(this.c.reader, { shares: model.shares, account })
    return {
      model: model.name,
      modelId: model.id.toString(),
      account,
      shares: formatEther(s.balance),
      votes: formatEther(s.votes),
      delegate: s.delegate,
      percent: s.totalSupply === 0n ? 0 : Number((s.balance * 10_000n) / s.totalSupply) / 100,
    }
  }

  async delegate(p: { account: string; model: string; to: string }) {
    const model = await this.modelRef(p.model)
    const to = await this.resolveAddress(p.to, 'delegatee')
    const writer = await this.c.writerFor(p.account)
    const tx = await delegateVotes(writer, { shares: model.shares, delegatee: to })
    return {
      ...(await this.shares({ model: p.model, account: writer.wallet.account.address })),
      transactionHash: tx,
    }
  }

  async listNodes() {
    return (await listNodes(this.c.reader)).map((n) => ({
      address: n.address,
      peerIdBytes: n.peerIdBytes,
      multiaddrs: n.multiaddrs,
      capabilities: n.capabilities,
      registeredAt: n.registeredAt.toString(),
      updatedAt: n.updatedAt.toString(),
    }))
  }

  private async model(idOrName: string): Promise<ModelInfo> {
    const id = await findModelId(this.c.reader, idOrName)
    if (id === undefined || id === 0n) throw modelNotFound(idOrName)
    try {
      return await getModel(this.c.reader, id)
    } catch (err) {
      if (err instanceof ContractRevertedError && err.details?.errorName === 'RegistryUnknownModel')
        throw modelNotFound(idOrName)
      throw err
    }
  }

  private async findProposal(idOrRef: string): Promise<ProposalCreated> {
    const ref = /^(\d+)\.(\d+)$/.exec(idOrRef)
    if (!ref && !/^\d+$/.test(idOrRef)) {
      throw new InvalidInputError(
        `"${idOrRef}" is not a proposal id: use the reference shown by \`commons proposals\` (e.g. 1.2) or the full id.`,
      )
    }
    const models = ref ? [await this.modelRef(ref[1]!)] : await listModels(this.c.reader)
    const match = (p: ProposalCreated) => (ref ? p.ref === idOrRef : p.id.toString() === idOrRef)
    for (const m of models) {
      const found = this.proposals.cached(m, match) ?? (await this.proposals.all(m)).find(match)
      if (found) return found
    }
    throw new ProposalNotFoundError(`No proposal ${idOrRef}. List them with \`commons proposals\`.`)
  }

  /** A model's id, name and contract addresses (immutable, cached). */
  private async modelRef(idOrName: string): Promise<ModelContractsRef> {
    const cached = this.contracts.get(idOrName)
    if (cached) return cached
    const id = await findModelId(this.c.reader, idOrName)
    if (id === undefined || id === 0n) throw modelNotFound(idOrName)
    let m: { name: string; shares: `0x${string}`; timelock: `0x${string}`; governor: `0x${string}` }
    try {
      m = await this.c.reader.public.readContract({
        address: this.c.reader.deployment.modelRegistry,
        abi: ModelRegistry.abi,
        functionName: 'getModel',
        args: [id],
      })
    } catch (err) {
      const e = translateChainError(err, `Reading model ${idOrName}`)
      if (e.details?.errorName === 'RegistryUnknownModel') throw modelNotFound(idOrName)
      throw e
    }
    const ref = { id, name: m.name, shares: m.shares, timelock: m.timelock, governor: m.governor }
    this.contracts.set(idOrName, ref)
    this.contracts.set(id.toString(), ref)
    return ref
  }

  private async resolveAddress(value: string, what: string): Promise<`0x${string}`> {
    if (isAddress(value, { strict: false })) return value as `0x${string}`
    if (/^0x/i.test(value))
      throw new InvalidInputError(
        `The ${what} "${value}" is not a valid address (0x followed by 40 hex digits).`,
      )
    if (this.c.addressOf) return this.c.addressOf(value)
    throw new InvalidInputError(`The ${what} "${value}" is not an address.`)
  }
}

function modelNotFound(idOrName: string) {
  return new ModelNotFoundError(`No model "${idOrName}". List models with \`commons model list\`.`)
}

function parseShares(value: string, what: string): bigint {
  const v = String(value).trim()
  if (!/^\d+(\.\d{1,18})?$/.test(v)) {
    throw new InvalidInputError(
      `${capitalize(what)} must be a positive number (e.g. 40 or 12.5), not "${value}".`,
    )
  }
  const amount = parseEther(v)
  if (amount <= 0n)
    throw new InvalidInputError(`${capitalize(what)} must be greater than zero, not "${value}".`)
  return amount
}

function parsePositiveInt(value: string, what: string): bigint {
  const v = parseNonNegativeInt(value, what)
  if (v === 0n) throw new InvalidInputError(`The ${what} must be greater than zero.`)
  return v
}

function parseNonNegativeInt(value: string, what: string): bigint {
  if (!/^\d+$/.test(String(value).trim()))
    throw new InvalidInputError(`The ${what} must be a whole number, not "${value}".`)
  return BigInt(String(value).trim())
}

function parseRoot(value: string): `0x${string}` {
  const hex = value.startsWith('0x') ? value.slice(2) : value
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new InvalidInputError(
      `"${value}" is not a content root: expected 64 hex digits (a sha256), as \`commons store add\` prints.`,
    )
  }
  return `0x${hex.toLowerCase()}`
}

function parseSettings(s: Partial<Record<keyof GovernanceSettings, string | number>>): GovernanceSettings {
  const get = (k: keyof GovernanceSettings) => {
    const v = s[k]
    if (v === undefined) return BigInt(DEFAULT_GOVERNANCE[k])
    return parseNonNegativeInt(String(v), k)
  }
  const settings = {
    votingDelay: Number(get('votingDelay')),
    votingPeriod: Number(get('votingPeriod')),
    proposalThreshold: get('proposalThreshold'),
    quorumPercent: get('quorumPercent'),
    timelockDelay: get('timelockDelay'),
  }
  if (settings.votingPeriod <= 0) throw new InvalidInputError('The voting period must be at least 1 second.')
  if (settings.quorumPercent < 1n || settings.quorumPercent > 100n) {
    throw new InvalidInputError('The quorum is a percentage between 1 and 100.')
  }
  if (settings.votingDelay > 2 ** 48 - 1 || settings.votingPeriod > 2 ** 32 - 1) {
    throw new InvalidInputError('The voting delay or period is too large.')
  }
  return settings
}

function deriveSymbol(name: string): string {
  const s = name
    .replace(/[^a-z0-9]/gi, '')
    .toUpperCase()
    .slice(0, 8)
  return s.length > 0 ? s : 'SHARE'
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

function isoTime(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString()
}

function modelDto(m: ModelInfo) {
  return {
    id: m.id.toString(),
    name: m.name,
    cardURI: m.cardURI,
    shares: m.shares,
    timelock: m.timelock,
    governor: m.governor,
    creator: m.creator,
    createdAt: m.createdAt.toString(),
    totalShares: formatEther(m.totalShares),
    policy: {
      pricePer1kTokens: m.policy.pricePer1kTokens.toString(),
      open: m.policy.open,
      policyURI: m.policy.policyURI,
    },
    latestPublishedVersion: m.latestPublishedVersion.toString(),
    settings: {
      votingDelay: m.settings.votingDelay.toString(),
      votingPeriod: m.settings.votingPeriod.toString(),
      quorumPercent: m.settings.quorumPercent.toString(),
      timelockDelay: m.settings.timelockDelay.toString(),
    },
  }
}

function versionDto(v: VersionInfo) {
  return {
    modelId: v.modelId.toString(),
    id: v.id.toString(),
    contentRoot: v.contentRoot,
    format: v.format,
    size: v.size.toString(),
    cardURI: v.cardURI,
    status: v.status,
    proposer: v.proposer,
    proposedAt: v.proposedAt.toString(),
    decidedAt: v.decidedAt.toString(),
  }
}

function proposalDto(p: ProposalInfo) {
  return {
    id: p.id.toString(),
    ref: p.ref,
    modelId: p.modelId.toString(),
    governor: p.governor,
    proposer: p.proposer,
    description: p.description,
    actions: p.actions,
    state: p.state,
    voteStart: p.voteStart.toString(),
    voteEnd: p.voteEnd.toString(),
    eta: p.eta.toString(),
    votes: {
      for: formatEther(p.votes.for),
      against: formatEther(p.votes.against),
      abstain: formatEther(p.votes.abstain),
    },
    quorum: formatEther(p.quorum),
  }
}

export type ModelDto = ReturnType<typeof modelDto>
export type VersionDto = ReturnType<typeof versionDto>
export type ProposalDto = ReturnType<typeof proposalDto>
