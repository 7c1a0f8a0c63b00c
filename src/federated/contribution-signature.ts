import type { ChainWriter, TrainingContribution } from '../chain/index.ts'
import { recoverTrainingContributor, signTrainingContribution } from '../chain/index.ts'
import { addressFromPeerId } from '../net/index.ts'
import { contributionAmount } from './contribution-split.ts'
import { RoundProtocolError } from './errors.ts'
import type { TrainingJobSpec } from './job-spec.ts'
import type { ConfigureMessage, MaskedMessage } from './messages.ts'

/** The contribution a member claims for a round: its amount by the job's rule, from the round's global model. */
export function contributionClaim(cfg: ConfigureMessage, numExamples: number): TrainingContribution {
  const rule = (cfg.spec as TrainingJobSpec).contribution.rule
  return {
    jobId: BigInt(cfg.jobId),
    round: cfg.round,
    amount: contributionAmount(rule, numExamples),
    trainedFrom: cfg.globalHash,
  }
}

/** Participant side: signs the member's claim for its masked upload with the node's chain key. */
export function contributionSigner(chain: ChainWriter) {
  return (cfg: ConfigureMessage, numExamples: number): Promise<`0x${string}`> =>
    signTrainingContribution(chain, contributionClaim(cfg, numExamples))
}

/**
 * Coordinator side: checks that a masked upload carries its member's signature over the claim the ledger
 * will verify; returns the signature. A member without a valid one is dropped before its input is summed.
 */
export function contributionVerifier(chain: ChainWriter) {
  return async (peerId: string, cfg: ConfigureMessage, msg: MaskedMessage): Promise<`0x${string}`> => {
    const signature = msg.contributionSignature
    const signer =
      signature === undefined
        ? undefined
        : await recoverTrainingContributor(chain, contributionClaim(cfg, msg.numExamples), signature).catch(
            () => undefined,
          )
    if (signer === undefined || signer.toLowerCase() !== addressFromPeerId(peerId).toLowerCase()) {
      throw new RoundProtocolError(
        `${peerId} sent no valid signature of its contribution to round ${cfg.round}; it is left out of the sum.`,
      )
    }
    return signature!
  }
}
