import type { Hono } from 'hono'
import type { PrivateKeyAccount } from 'viem'
import type { ApiKeyStore, Metrics, SignInSessions, TermsRelay, UsageApi } from '../api/index.ts'
import {
  createApi,
  dashboardRoutes,
  datasetRoutes,
  EVENT_HEARTBEAT_MS,
  EVENT_POLL_MS,
  EVENT_REFRESH_EVERY,
  type EvaluationRouteComponents,
  EventHub,
  evaluationRoutes,
  eventRoutes,
  lineageRoutes,
  MAX_EVENT_SUBSCRIBERS,
  peerRoutes,
  type ServingRouteComponents,
  type StoreRouteComponents,
  servingRoutes,
  storeRoutes,
  trainingRoutes,
  usageRoutes,
  VOTE_RELAYS_PER_MINUTE,
  voteRelayRoutes,
} from '../api/index.ts'
import type { ChainReader, Deployment } from '../chain/index.ts'
import { DevnetOnlyError, type EmbeddedChain } from '../chain/index.ts'
import type { DataCommons } from '../data/index.ts'
import type { TrainingService } from '../federated/index.ts'
import type { Governance } from '../governance/index.ts'
import type { Logger } from '../log.ts'
import type { NodeConfig } from './config.ts'
import type { Keystore } from './keystore.ts'
import type { NodeNetwork } from './network.ts'
import { peerList } from './peer-list.ts'

/** Everything the node's HTTP API reaches. */
export interface NodeApiComponents {
  config: NodeConfig
  apiToken: string
  governance: Governance
  keystore: Keystore
  reader: ChainReader
  rpcUrl: string
  deployment: Deployment
  devnet: EmbeddedChain | undefined
  nodeAccount: PrivateKeyAccount
  network: Pick<NodeNetwork, 'host' | 'directory' | 'store'>
  fetch: StoreRouteComponents['fetch']
  training: TrainingService
  /** Datasets, withdrawals and lineage on the node's chain account. */
  data: DataCommons
  /** The OpenAI-compatible `/v1` sub-app. */
  v1: Hono
  /** The serving list file (`<data>/serving.json`). */
  servingList: string
  /** Loads what the serving list names now. */
  refreshServing(): void
  /** `commons eval run|attest`. */
  evaluations?: EvaluationRouteComponents['evaluations']
  /** The versions loaded here and the published versions that did not load (and why). */
  servingStatus?: ServingRouteComponents['status']
  /** The API key store `/v1` verifies against; undefined when `/v1` is open. */
  apiKeys: ApiKeyStore | undefined
  /** Sign-In with Ethereum sessions of `/v1` consumers. */
  sessions: SignInSessions
  /** Relays consumers' signed acceptances of usage terms. */
  terms: TermsRelay
  metrics: Metrics
  /** `/api/usage` and `/api/earnings`. */
  usage: UsageApi
  log: Logger
}

/** The node's Hono app: `/api` (governance, store, peers, training, keys), `/v1`, `/metrics`, `/healthz`. */
export function buildApi(c: NodeApiComponents): Hono {
  const { host, directory, store } = c.network
  const peers = () => peerList({ host, directory })
  const self = () => ({ peerId: host.peerId, address: c.nodeAccount.address, multiaddrs: host.multiaddrs() })
  const hub = new EventHub(
    { pollMs: EVENT_POLL_MS, refreshEvery: EVENT_REFRESH_EVERY, maxSubscribers: MAX_EVENT_SUBSCRIBERS },
    {
      head: async () => (await c.reader.public.getBlockNumber({ cacheTime: 0 })).toString(),
      topics: {
        proposals: () => c.governance.listProposals(),
        models: () => c.governance.listModels(),
        nodes: () => c.governance.listNodes(),
        peers: async () => ({ self: self(), peers: peers() }),
        training: () => c.training.list(),
      },
    },
    c.log.child({ component: 'events' }),
  )
  return createApi(
    { apiToken: c.apiToken, allowedHosts: c.config.api.allowedHosts },
    {
      governance: c.governance,
      log: c.log.child({ component: 'api' }),
      accounts: async () =>
        Promise.all(
          (await c.keystore.names()).map(async (name: string) => ({
            name,
            address: (await c.keystore.get(name)).address,
          })),
        ),
      chainInfo: async () => ({
        mode: c.config.chain.mode,
        rpcUrl: c.rpcUrl,
        chainId: c.deployment.chainId,
        block: (await c.reader.public.getBlockNumber()).toString(),
        timestamp: (await c.reader.public.getBlock()).timestamp.toString(),
        deployment: c.deployment,
      }),
      warp: async (seconds) => {
        if (!c.devnet)
          throw new DevnetOnlyError(
            'Time warp works only on the embedded devnet; this node uses an external chain.',
          )
        return c.devnet.warp(seconds)
      },
      metrics: c.metrics,
      mounts: [
        { path: '/v1', app: c.v1 },
        { path: '/', app: dashboardRoutes() },
      ],
      apiKeys: c.apiKeys,
      sessions: c.sessions,
      terms: c.terms,
      health: async () => {
        const head = await c.reader.public
          .getBlockNumber({ cacheTime: 0 })
          .then((n) => n.toString())
          .catch(() => undefined)
        return {
          address: c.nodeAccount.address,
          peerId: host.peerId,
          chain: { mode: c.config.chain.mode, status: head === undefined ? 'unavailable' : 'ok', head },
          ...(head === undefined ? { degraded: ['chain'] } : {}),
        }
      },
      apiRoutes: [
        { path: '/events', app: eventRoutes({ hub, apiToken: c.apiToken, heartbeatMs: EVENT_HEARTBEAT_MS }) },
        {
          path: '/proposals',
          app: voteRelayRoutes({ governance: c.governance, relaysPerMinute: VOTE_RELAYS_PER_MINUTE }),
        },
        { path: '/store', app: storeRoutes({ store, log: c.log, fetch: c.fetch }) },
        { path: '/training', app: trainingRoutes({ training: c.training }) },
        { path: '/', app: usageRoutes(c.usage) },
        ...(c.evaluations ? [{ path: '/eval', app: evaluationRoutes({ evaluations: c.evaluations }) }] : []),
        { path: '/datasets', app: datasetRoutes({ data: c.data }) },
        { path: '/lineage', app: lineageRoutes({ data: c.data }) },
        {
          path: '/serving',
          app: servingRoutes({ path: c.servingList, refresh: c.refreshServing, status: c.servingStatus }),
        },
        {
          path: '/peers',
          app: peerRoutes({
            peers,
            self,
          }),
        },
      ],
    },
  )
}
