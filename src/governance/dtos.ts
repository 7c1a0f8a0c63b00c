import { formatEther } from 'viem'
import type { ModelInfo, ProposalInfo, VersionInfo, VoteRecord } from '../chain/index.ts'

// What governance returns: plain JSON-safe data (bigints as decimal strings, shares and ether in whole
// units), the same through the API and the CLI.

/** A model as people see it. */
export function modelDto(m: ModelInfo) {
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
      open: m.policy.open,
      promptPricePer1k: m.policy.promptPricePer1k.toString(),
      completionPricePer1k: m.policy.completionPricePer1k.toString(),
      requestsPerMinute: m.policy.requestsPerMinute,
      termsURI: m.policy.termsURI,
      termsHash: m.policy.termsHash,
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

/** A version of a model. */
export function versionDto(v: VersionInfo) {
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

/** A proposal with its state and tallies. */
export function proposalDto(p: ProposalInfo) {
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
    /** Minting, settings, treasury: passes only when For exceeds half of all shares at the snapshot. */
    constitutional: p.constitutional,
  }
}

export type ModelDto = ReturnType<typeof modelDto>
export type VersionDto = ReturnType<typeof versionDto>
export type ProposalDto = ReturnType<typeof proposalDto>

/** A ballot cast on a proposal. */
export function voteDto(v: VoteRecord) {
  return {
    voter: v.voter,
    support: v.support,
    weight: formatEther(v.weight),
    reason: v.reason,
    transactionHash: v.transactionHash,
  }
}
export type VoteDto = ReturnType<typeof voteDto>
