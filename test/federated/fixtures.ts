import type { Stream } from '@libp2p/interface'
import { hexToBytes, parseEther } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { createTrainingService, type TrainingHost, type TrainingService } from '../../src/federated/index.ts'
import type { TrainingJobSpecInput } from '../../src/federated/job-spec.ts'
import { createLogger, silentLogger } from '../../src/log.ts'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import { createCommonsHost } from '../../src/net/index.ts'
import { createTfjsTrainer, type LlamaModelConfig, type Trainer } from '../../src/training/index.ts'
import type { Devnet } from '../chain/devnet.ts'

export const MODEL_CONFIG: Partial<LlamaModelConfig> = {
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nFf: 192,
  contextLength: 256,
}
export const LOCAL = { steps: 15, batchSize: 8, seqLen: 64, learningRate: 5e-3 }
export const TIMEOUTS = { keysMs: 20_000, sharesMs: 20_000, trainMs: 120_000, unmaskMs: 20_000 }
export const GOVERNANCE = {
  votingDelay: 300,
  votingPeriod: 3_600,
  proposalThreshold: 0n,
  quorumPercent: 40n,
  timelockDelay: 600n,
}

/** One member node: key, libp2p host, chain account and training service. */
export interface Member {
  name: string
  key: `0x${string}`
  account: PrivateKeyAccount
  host: CommonsHost
  service: TrainingService
  /** Set to make the next train() call crash this member mid-round (after it shared its keys). */
  crashOnNextTrain?: () => Promise<void>
}

/** Records every byte a host received on streams it dialled, per remote peer. */
export class WireTap {
  readonly received = new Map<string, Uint8Array[]>()

  wrap(host: CommonsHost): TrainingHost {
    return {
      get peerId() {
        return host.peerId
      },
      get address() {
        return host.address
      },
      identity: host.identity,
      handle: (p, h, o) => host.handle(p, h, o),
      unhandle: (p) => host.unhandle(p),
      dial: async (peer, protocol, options) => {
        const stream: Stream = await host.dial(peer, protocol, options)
        stream.addEventListener('message', (evt) => {
          const data = evt.data
          const bytes = data instanceof Uint8Array ? data : data.subarray()
          const list = this.received.get(peer) ?? []
          list.push(new Uint8Array(bytes))
          this.received.set(peer, list)
        })
        return stream
      },
    }
  }

  /** The JSON frames received from one peer (varint length + JSON body, as on the wire). */
  frames(peer: string): Record<string, unknown>[] {
    const all = Buffer.concat(this.received.get(peer) ?? [])
    const out: Record<string, unknown>[] = []
    let i = 0
    while (i < all.length) {
      let len = 0
      let factor = 1
      for (;;) {
        const b = all[i++]!
        len += (b & 0x7f) * factor
        factor *= 128
        if ((b & 0x80) === 0) break
      }
      out.push(JSON.parse(all.subarray(i, i + len).toString('utf8')))
      i += len
    }
    return out
  }
}

/** A trainer that can be told to crash its member at the next train() call. */
function crashableTrainer(inner: Trainer, member: Member): Trainer {
  return {
    loadParams: (p) => inner.loadParams(p),
    getParams: () => inner.getParams(),
    evaluate: (d, o) => inner.evaluate(d, o),
    exportGguf: (p, o) => inner.exportGguf(p, o),
    dispose: () => inner.dispose(),
    [Symbol.asyncDispose]: () => inner.dispose(),
    train: async (o) => {
      const crash = member.crashOnNextTrain
      if (crash === undefined) return inner.train(o)
      member.crashOnNextTrain = undefined
      // Let the key-sharing phase finish, then the node dies in the middle of local training.
      setTimeout(() => void crash(), 1_000)
      return new Promise((_, reject) => o.signal?.addEventListener('abort', () => reject(o.signal!.reason)))
    },
  }
}

/** Starts a member node (or restarts one with the same key and data dir). */
export async function startMember(
  net: Devnet,
  name: string,
  dir: string,
  options: { key?: `0x${string}`; tap?: WireTap } = {},
): Promise<Member> {
  const key = options.key ?? generatePrivateKey()
  const account = privateKeyToAccount(key)
  const host = createCommonsHost({ privateKey: hexToBytes(key), admission: 'open' }, { log: silentLogger })
  await host.start()
  const member = { name, key, account, host } as Member
  member.service = createTrainingService(
    { dir, timeouts: TIMEOUTS },
    {
      host: options.tap ? options.tap.wrap(host) : host,
      chain: net.as(account),
      createTrainer: async (spec) =>
        crashableTrainer(
          await createTfjsTrainer({ config: spec.modelConfig as Partial<LlamaModelConfig>, seed: 0 }),
          member,
        ),
      log: process.env.FL_TEST_LOG
        ? createLogger(process.env.FL_TEST_LOG).child({ member: name })
        : silentLogger,
    },
  )
  await member.service.start()
  return member
}

/** Stops a member's service and host (a crash, as far as the others can tell). */
export async function stopMember(m: Member): Promise<void> {
  await m.service.stop()
  await m.host.stop()
}

/** Creates a model owned equally by the members (each can propose versions). */
export async function createSharedModel(net: Devnet, members: Member[], name: string): Promise<bigint> {
  for (const m of members) await net.chain.fund(m.account.address, 10n ** 21n)
  const { modelId } = await createModel(net.deployer, {
    name,
    symbol: name.slice(0, 4).toUpperCase(),
    cardURI: '',
    owners: members.map((m) => ({ address: m.account.address, shares: parseEther('100') })),
    settings: GOVERNANCE,
  })
  return modelId
}

/** A job spec over the members, coordinated by the first. */
export function jobSpec(
  members: Member[],
  p: { modelId: bigint; baseContentRoot: `0x${string}`; rounds: number; takeoverTimeoutSeconds?: number },
): TrainingJobSpecInput {
  return {
    modelId: p.modelId.toString(),
    baseContentRoot: p.baseContentRoot,
    modelConfig: MODEL_CONFIG as Record<string, number>,
    strategy: { kind: 'fedavg' },
    privacy: { clipNorm: 50 },
    participants: members.map((m) => ({ peerId: m.host.peerId, address: m.account.address })),
    coordinator: members[0]!.host.peerId,
    rounds: p.rounds,
    local: LOCAL,
    contribution: { rule: 'examples', sharesToMint: parseEther('30').toString() },
    takeoverTimeoutSeconds: p.takeoverTimeoutSeconds ?? 900,
  }
}
