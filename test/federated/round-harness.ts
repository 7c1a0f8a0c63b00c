import { hexToBytes } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import type { Tensor, TensorMap } from '../../src/aggregation/index.ts'
import type { ChainJobView } from '../../src/federated/configure-check.ts'
import type { FrameChannel } from '../../src/federated/frame-channel.ts'
import {
  bindBaseModel,
  jobSpecHash,
  parseJobSpec,
  type TrainingJobSpec,
} from '../../src/federated/job-spec.ts'
import type { ParticipantComponents } from '../../src/federated/round-participant.ts'
import { modelHash } from '../../src/federated/wire-model.ts'
import { silentLogger } from '../../src/log.ts'
import { peerIdentityFromPrivateKey } from '../../src/net/peer-identity.ts'
import type { Trainer } from '../../src/training/index.ts'

// In-process rounds with the real coordinator and participant code (local channels serialize and validate
// frames as on the wire) and trainers that return known deltas.

export const TIMEOUTS = { keysMs: 5_000, sharesMs: 5_000, trainMs: 5_000, unmaskMs: 5_000 }
export const LOCAL = { steps: 1, batchSize: 1, seqLen: 4, learningRate: 1e-3 }

export type Person = ReturnType<typeof peerIdentityFromPrivateKey>

export function makePeople(n: number): Person[] {
  return Array.from({ length: n }, () => peerIdentityFromPrivateKey(hexToBytes(generatePrivateKey())))
}

/** A fedavg job spec over `people`, coordinated by the first, bound to `global` as its base model. */
export function jobFor(
  people: Person[],
  global: TensorMap,
  extra: Record<string, unknown> = {},
): TrainingJobSpec {
  const spec = parseJobSpec({
    modelId: '1',
    baseContentRoot: `0x${'ab'.repeat(32)}`,
    strategy: { kind: 'fedavg' },
    privacy: { clipNorm: 10 },
    participants: people.map((p) => ({ peerId: p.peerId.toString(), address: p.address })),
    coordinator: people[0]!.peerId.toString(),
    rounds: 3,
    local: LOCAL,
    contribution: { rule: 'examples', sharesToMint: '1000' },
    ...extra,
  })
  return bindBaseModel(spec, modelHash(global))
}

/** A trainer that returns global + a fixed delta. */
export function fakeTrainer(delta: TensorMap): Trainer {
  let params: TensorMap = new Map()
  return {
    loadParams: async (p) => {
      params = p
    },
    getParams: async () => params,
    train: async () => {
      const update = new Map<string, Tensor>()
      for (const [name, t] of params)
        update.set(name, { shape: t.shape, data: t.data.map((x, i) => x + delta.get(name)!.data[i]!) })
      params = update
      const metrics = { loss: 1, initialLoss: 2, steps: 1, tokens: 4, seconds: 1, tokensPerSecond: 4 }
      return { update, updateKind: 'weights', numExamples: 10, metrics }
    },
    evaluate: async () => ({ loss: 1, tokens: 4 }),
    exportGguf: async () => {},
    dispose: async () => {},
    [Symbol.asyncDispose]: async () => {},
  }
}

/** A trainer whose member dies during local training (it never uploads). */
export function crashingTrainer(): Trainer {
  return {
    ...fakeTrainer(new Map()),
    train: () => new Promise((_, reject) => setTimeout(() => reject(new Error('member crashed')), 500)),
  }
}

/** The chain's view of a fresh job coordinated by `coordinator`. */
export function chainView(spec: TrainingJobSpec, coordinator: Person, committedRounds = 0): ChainJobView {
  return { coordinator: coordinator.address, specHash: jobSpecHash(spec), status: 'active', committedRounds }
}

/** A participant's components: its identity, a chain view and a trainer. */
export function participantOf(person: Person, view: ChainJobView, trainer: Trainer): ParticipantComponents {
  return {
    peerId: person.peerId.toString(),
    privateKey: person.privateKey,
    resolveJob: async () => view,
    localData: () => ({ train: { tokens: new Uint16Array(16) } }),
    trainer: async () => trainer,
    saveGlobal: async () => {},
    log: silentLogger,
  }
}

/** Wraps a channel so every frame sent through it is recorded (what leaves that side). */
export function recordSent(channel: FrameChannel, sent: Record<string, unknown>[]): FrameChannel {
  return {
    get remotePeerId() {
      return channel.remotePeerId
    },
    send: async (value, options) => {
      sent.push(JSON.parse(JSON.stringify(value)) as Record<string, unknown>)
      await channel.send(value, options)
    },
    receive: (schema, options) => channel.receive(schema, options),
    close: () => channel.close(),
    reject: (err) => channel.reject(err),
    abort: (err) => channel.abort(err),
  }
}
