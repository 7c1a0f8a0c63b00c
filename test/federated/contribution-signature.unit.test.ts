import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createWalletClient, custom, hexToBytes } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Tensor } from '../../src/aggregation/index.ts'
import type { ChainWriter } from '../../src/chain/chain-client.ts'
import { recoverTrainingContributor } from '../../src/chain/index.ts'
import {
  contributionClaim,
  contributionSigner,
  contributionVerifier,
} from '../../src/federated/contribution-signature.ts'
import { bindBaseModel, jobSpecHash, parseJobSpec } from '../../src/federated/job-spec.ts'
import { createLocalChannelPair } from '../../src/federated/local-channel.ts'
import { runCoordinatorRound } from '../../src/federated/round-coordinator.ts'
import { runParticipantRound } from '../../src/federated/round-participant.ts'
import { modelHash } from '../../src/federated/wire-model.ts'
import { silentLogger } from '../../src/log.ts'
import { peerIdentityFromPrivateKey } from '../../src/net/peer-identity.ts'
import type { Trainer } from '../../src/training/index.ts'

// A member that uploads with a contribution signature the ledger would refuse (here: signed by another
// key) would make the coordinator's commit revert and stall the job. The coordinator checks each
// signature when the masked upload arrives and drops such a member before its input enters the sum;
// the round commits with the others, each carrying a signature that recovers to its own address.

const TIMEOUTS = { keysMs: 10_000, sharesMs: 10_000, trainMs: 10_000, unmaskMs: 10_000 }
const keys = Array.from({ length: 4 }, () => generatePrivateKey())
const people = keys.map((k) => peerIdentityFromPrivateKey(hexToBytes(k)))
const ids = people.map((p) => p.peerId.toString())
const deployment = {
  chainId: 31337,
  trainingLedger: '0x00000000000000000000000000000000000000aa',
} as unknown as ChainWriter['deployment']
/** A chain writer that can sign (local key) but has no RPC: signing and recovery are offline. */
const chainOf = (key: `0x${string}`) =>
  ({
    deployment,
    wallet: createWalletClient({
      account: privateKeyToAccount(key),
      transport: custom({ request: async () => Promise.reject(new Error('no RPC in this test')) }),
    }),
  }) as unknown as ChainWriter

const global = new Map<string, Tensor>([['w', { shape: [4], data: new Float32Array([0.1, 0.2, 0.3, 0.4]) }]])
const trainer: Trainer = {
  loadParams: async () => {},
  getParams: async () => global,
  train: async () => ({
    update: new Map([['w', { shape: [4], data: new Float32Array([0.2, 0.2, 0.3, 0.4]) }]]),
    updateKind: 'weights',
    numExamples: 12,
    metrics: { loss: 1, initialLoss: 2, steps: 1, tokens: 4, seconds: 1, tokensPerSecond: 4 },
  }),
  evaluate: async () => ({ loss: 1, tokens: 4 }),
  exportGguf: async () => {},
  dispose: async () => {},
  [Symbol.asyncDispose]: async () => {},
}

test('a member whose contribution signature is not its own is dropped before its input is summed; the others sign their own amount', async () => {
  const spec = bindBaseModel(
    parseJobSpec({
      modelId: '1',
      baseContentRoot: `0x${'ab'.repeat(32)}`,
      strategy: { kind: 'fedavg' },
      privacy: { clipNorm: 10 },
      participants: people.map((p) => ({ peerId: p.peerId.toString(), address: p.address })),
      coordinator: ids[0],
      rounds: 1,
      local: { steps: 1, batchSize: 1, seqLen: 4, learningRate: 1e-3 },
      contribution: { rule: 'examples', sharesToMint: '1000' },
    }),
    modelHash(global),
  )
  const specHash = jobSpecHash(spec)
  const coordinator = people[0]!
  const cheater = 3
  const participants: Promise<void>[] = []
  const result = await runCoordinatorRound(
    {
      openChannel: async (peerId) => {
        const [mine, theirs] = createLocalChannelPair(peerId)
        const i = ids.indexOf(peerId)
        // The cheater signs with a key that is not its own (a claim for someone else's credit).
        const signer = contributionSigner(chainOf(i === cheater ? generatePrivateKey() : keys[i]!))
        participants.push(
          runParticipantRound(
            {
              peerId,
              privateKey: people[i]!.privateKey,
              resolveJob: async () => ({
                coordinator: coordinator.address,
                specHash,
                status: 'active',
                committedRounds: 0,
              }),
              localData: () => ({ train: { tokens: new Uint16Array(16) } }),
              trainer: async () => trainer,
              saveGlobal: async () => {},
              signContribution: signer,
              log: silentLogger,
            },
            theirs,
            coordinator.address,
            { timeouts: TIMEOUTS },
          ).catch(() => undefined),
        )
        return mine
      },
      verifyContribution: contributionVerifier(chainOf(keys[0]!)),
      log: silentLogger,
    },
    { jobId: 7n, spec, round: 1, global, globalHash: modelHash(global), members: ids, timeouts: TIMEOUTS },
  )
  for (const ch of result.channels.values()) ch.abort(new Error('the test ends the round here'))
  await Promise.allSettled(participants)

  assert.deepEqual(result.dropped, [ids[cheater]])
  assert.deepEqual(
    result.contributors.map((m) => m.peerId),
    ids.filter((_, i) => i !== cheater).sort(),
  )
  for (const m of result.contributors) {
    const i = ids.indexOf(m.peerId)
    assert.ok(m.contributionSignature, `${m.peerId} signed`)
    const claim = { jobId: 7n, round: 1, amount: 12n, trainedFrom: modelHash(global) }
    assert.equal(
      await recoverTrainingContributor(chainOf(keys[0]!), claim, m.contributionSignature),
      people[i]!.address,
      'the signature the ledger will check recovers to the member itself',
    )
  }
  assert.equal(
    contributionClaim({ jobId: '7', round: 1, globalHash: modelHash(global), spec } as never, 12).amount,
    12n,
  )
})
