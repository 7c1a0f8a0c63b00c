import type { ChainWriter, ContributionDatasets, TrainingContribution } from '../chain/index.ts'
import { recoverTrainingContributor, signTrainingContribution } from '../chain/index.ts'
import { addressFromPeerId } from '../net/index.ts'
import { contributionAmount } from './contribution-split.ts'
import { RoundProtocolError } from './errors.ts'
import type { TrainingJobSpec } from './job-spec.ts'
import type { ConfigureMessage, MaskedMessage } from './messages.ts'

/**
 * The contribution a member claims for a round: its amount by the job's rule, from the round's global model,
 * and the datasets it trained on with each one's part of the amount.
 */
export function contributionClaim(
  cfg: ConfigureMessage,
  numExamples: number,
  datasets?: ContributionDatasets,
): TrainingContribution {
  const rule = (cfg.spec as TrainingJobSpec).contribution.rule
  return {
    jobId: BigInt(cfg.jobId),
    round: cfg.round,
    amount: contributionAmount(rule, numExamples),
    trainedFrom: cfg.globalHash,
    datasets,
  }
}

/** The datasets of a masked upload as the ledger takes them (undefined when it names none). */
export function uploadDatasets(msg: { datasets?: { ids: string[]; amounts: string[] } }) {
  if (msg.datasets === undefined || msg.datasets.ids.length === 0) return undefined
  return { ids: msg.datasets.ids.map(BigInt), amounts: msg.datasets.amounts.map(BigInt) }
}

/** Participant side: signs the member's claim for its masked upload with the node's chain key. */
export function contributionSigner(chain: ChainWriter) {
  return (
    cfg: ConfigureMessage,
    numExamples: number,
    datasets?: ContributionDatasets,
  ): Promise<`0x${string}`> => signTrainingContribution(chain, contributionClaim(cfg, numExamples, datasets))
}

/**
 * Coordinator side: checks that a masked upload carries its member's signature over the claim the ledger
 * will verify; returns the signature. A member without a valid one is dropped before its input is summed.
 */
export function contributionVerifier(chain: ChainWriter) {
  return async (peerId: string, cfg: ConfigureMessage, msg: MaskedMessage): Promise<`0x${string}`> => {
    const signature = msg.contributionSignature
    const datasets = uploadDatasets(msg)
    const named = (cfg.spec as TrainingJobSpec).data?.datasets ?? []
    const stray = datasets?.ids.find((id) => !named.includes(id.toString()))
    if (stray !== undefined) {
      throw new RoundProtocolError(
        `${peerId} claims dataset ${stray}, which job ${cfg.jobId} does not name; it is left out of the sum.`,
      )
    }
    const signer =
      signature === undefined
        ? undefined
        : await recoverTrainingContributor(
            chain,
            contributionClaim(cfg, msg.numExamples, datasets),
            signature,
          ).catch(() => undefined)
    if (signer === undefined || signer.toLowerCase() !== addressFromPeerId(peerId).toLowerCase()) {
      throw new RoundProtocolError(
        `${peerId} sent no valid signature of its contribution to round ${cfg.round}; it is left out of the sum.`,
      )
    }
    return signature!
  }
}
