import { formatEther } from 'viem'
import type { z } from 'zod'
import {
  admitMemberCall,
  COMMONS_GOVERNANCE_ID,
  listVersions,
  type ModelContractsRef,
  mintSharesCall,
  type ProposalCall,
  propose as proposeAction,
  publishVersionCall,
  readProposalStatus,
  releaseGateAddress,
  revokeMemberCall,
  revokeVersionCall,
  setAdmissionCall,
  setAllowedCall,
  setEvaluatorCall,
  setPolicyCall,
  setReleasePolicyCall,
  treasuryTransferCall,
} from '../chain/index.ts'
import { InvalidInputError, RefusedError } from '../errors.ts'
import { addVersion } from './add-version.ts'
import type { GovernanceContext } from './context.ts'
import { proposalDto } from './dtos.ts'
import { buildModelCard } from './model-card.ts'
import { type ProposeInput, parseInput, proposeInput } from './schemas.ts'

const ZERO_HASH = `0x${'0'.repeat(64)}` as const

type Request = z.output<typeof proposeInput>

/** Proposes one action for a model (publish or revoke a version, set the policy, mint shares, move treasury funds). */
export async function propose(c: GovernanceContext, input: ProposeInput) {
  const p = parseInput(proposeInput, input)
  const model = await c.directory.ref(p.model)
  const { call, summary } = await proposalCall(c, model, p)
  const description = p.description?.trim() ? `${summary}\n\n${p.description.trim()}` : summary
  const writer = await c.writerFor(p.account)
  const id = await proposeAction(writer, { governor: model.governor, calls: [call], description })
  const created = (await c.directory.proposals.all(model)).find((x) => x.id === id)
  if (created === undefined) throw new RefusedError(`Proposal ${id} was sent but its event was not found.`)
  return proposalDto(await readProposalStatus(c.reader, created))
}

async function proposalCall(
  c: GovernanceContext,
  model: ModelContractsRef,
  p: Request,
): Promise<{ call: ProposalCall; summary: string }> {
  const contracts = {
    registry: c.reader.deployment.modelRegistry,
    shares: model.shares,
    timelock: model.timelock,
  }
  switch (p.kind) {
    case 'publish-version': {
      const v = await versionToPublish(c, model, p)
      return {
        call: publishVersionCall(contracts, model.id, BigInt(v.id)),
        summary: `Publish version ${v.id} (${v.contentRoot}) of ${model.name}`,
      }
    }
    case 'revoke-version':
      return {
        call: revokeVersionCall(contracts, model.id, p.versionId),
        summary: `Revoke version ${p.versionId} of ${model.name}`,
      }
    case 'set-policy':
      return {
        call: setPolicyCall(contracts, model.id, {
          open: p.open,
          promptPricePer1k: p.promptPricePer1k ?? p.pricePer1kTokens,
          completionPricePer1k: p.completionPricePer1k ?? p.pricePer1kTokens,
          requestsPerMinute: p.requestsPerMinute,
          termsURI: p.termsURI ?? '',
          termsHash: p.termsHash ?? ZERO_HASH,
        }),
        summary: `Set policy of ${model.name}: ${p.open ? 'open' : 'allowlist only'}, ${p.promptPricePer1k ?? p.pricePer1kTokens}/${p.completionPricePer1k ?? p.pricePer1kTokens} wei per 1k prompt/completion tokens${p.requestsPerMinute ? `, ${p.requestsPerMinute} requests/min` : ''}${p.termsURI ? `, terms ${p.termsURI}` : ''}`,
      }
    case 'set-allowed': {
      const consumer = await c.directory.address(p.consumer)
      return {
        call: setAllowedCall(contracts, model.id, consumer, p.allowed),
        summary: `${p.allowed ? 'Allow' : 'Disallow'} ${consumer} to use ${model.name}`,
      }
    }
    case 'mint-shares': {
      const to = await c.directory.address(p.to)
      return {
        call: mintSharesCall(contracts, to, p.shares),
        summary: `Mint ${formatEther(p.shares)} shares of ${model.name} to ${to}`,
      }
    }
    case 'set-release-policy': {
      const gate = await releaseGateAddress(c.reader)
      const requirements = p.requirements.map((r) => ({
        evaluation: r.evaluation,
        atMost: r.bound === 'max',
        threshold: r.threshold,
        attestations: r.attestations,
      }))
      const text = p.requirements.map(
        (r) =>
          `${r.evaluation} ${r.bound === 'max' ? '<=' : '>='} ${r.threshold} (${r.attestations} attestation${r.attestations === 1 ? '' : 's'}, value x 10^6)`,
      )
      return {
        call: setReleasePolicyCall(gate, model.id, requirements),
        summary: `Set the release policy of ${model.name}: ${text.length ? text.join(', ') : 'no evaluation needed'}`,
      }
    }
    case 'set-evaluator': {
      const gate = await releaseGateAddress(c.reader)
      const evaluator = await c.directory.address(p.evaluator)
      return {
        call: setEvaluatorCall(gate, model.id, evaluator, p.approved),
        summary: `${p.approved ? 'Approve' : 'Remove'} ${evaluator} as an evaluator of ${model.name}`,
      }
    }
    case 'admit-member':
    case 'revoke-member':
    case 'set-admission':
      return membershipCall(c, model, p)
    case 'treasury-transfer': {
      const to = await c.directory.address(p.to)
      return {
        call: treasuryTransferCall(to, p.amountEth),
        summary: `Transfer ${formatEther(p.amountEth)} ETH from the treasury of ${model.name} to ${to}`,
      }
    }
  }
}

/** A membership proposal: only the commons's own governance (model `commons`) makes one. */
async function membershipCall(
  c: GovernanceContext,
  model: ModelContractsRef,
  p: Extract<Request, { kind: 'admit-member' | 'revoke-member' | 'set-admission' }>,
): Promise<{ call: ProposalCall; summary: string }> {
  if (model.id !== COMMONS_GOVERNANCE_ID)
    throw new InvalidInputError(
      `${p.kind} is a decision of the whole commons, not of model ${model.name}: propose it to the commons.`,
      { details: { field: 'model' } },
    )
  const membership = model.shares
  if (p.kind === 'set-admission')
    return {
      call: setAdmissionCall(membership, p.policy),
      summary: `Set the commons admission policy to ${p.policy}`,
    }
  const member = await c.directory.address(p.member)
  return p.kind === 'admit-member'
    ? { call: admitMemberCall(membership, member), summary: `Admit ${member} as a member of the commons` }
    : { call: revokeMemberCall(membership, member), summary: `Revoke ${member} from the commons` }
}

/** The version a publish proposal names: recorded first when given by content root; it must be `proposed`. */
async function versionToPublish(
  c: GovernanceContext,
  model: ModelContractsRef,
  p: Extract<Request, { kind: 'publish-version' }>,
) {
  let version: { id: string; status: string; contentRoot: string; format: string }
  if (p.contentRoot !== undefined && p.size !== undefined) {
    const format = p.format ?? 'gguf'
    // The card is written to the content store while the version's chain reads and load check run.
    const card =
      p.cardURI === undefined
        ? c.cards?.write(
            buildModelCard({ model: model.name, contentRoot: p.contentRoot, format, size: p.size }, p.card),
          )
        : undefined
    version = await addVersion(
      c,
      {
        account: p.account,
        model: model.id.toString(),
        contentRoot: p.contentRoot,
        format,
        size: p.size.toString(),
        cardURI: p.cardURI,
      },
      card,
    )
  } else {
    const versions = await listVersions(c.reader, model.id)
    const found = versions.find((x) => x.id === p.versionId)
    if (!found)
      throw new InvalidInputError(
        `Model ${model.name} has no version ${p.versionId} (it has ${versions.length}).`,
        {
          details: { field: 'versionId' },
        },
      )
    version = {
      id: found.id.toString(),
      status: found.status,
      contentRoot: found.contentRoot,
      format: found.format,
    }
    // A candidate recorded on chain directly is checked too: its content must load before it is proposed.
    if (found.status === 'proposed')
      await c.versionCheck?.check({ contentRoot: found.contentRoot, format: found.format })
  }
  if (version.status !== 'proposed')
    throw new InvalidInputError(`Version ${version.id} is ${version.status}, not proposed.`, {
      details: { field: 'versionId' },
    })
  return version
}
