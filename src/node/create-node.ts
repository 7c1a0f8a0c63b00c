import { mkdir } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type ServerType, serve } from '@hono/node-server'
import { ApiKeyStore } from '../api/api-keys/api-key-store.ts'
import { createApi } from '../api/index.ts'
import { Metrics } from '../api/metrics.ts'
import { openAiRoutes } from '../api/openai/index.ts'
import { peerRoutes } from '../api/routes/peers.ts'
import { storeRoutes } from '../api/routes/store.ts'
import { trainingRoutes } from '../api/routes/training.ts'
import { findModelId } from '../chain/actions/list-models.ts'
import type { ChainReader } from '../chain/chain-client.ts'
import { DEVNET_FUNDING_WEI } from '../chain/constants.ts'
import type { Deployment } from '../chain/deployment.ts'
import type { EmbeddedChain } from '../chain/embedded-chain.ts'
import type { Governance } from '../chain/governance.ts'
import { InvalidInputError } from '../errors.ts'
import { createTrainingService } from '../federated/index.ts'
import { ChainModelResolver, createInferenceService, type InferenceService } from '../inference/index.ts'
import { createLogger, type Logger } from '../log.ts'
import { loadOrCreateApiToken } from './api-token.ts'
import { watchRegistries } from './chain-watcher.ts'
import { type NodeConfig, nodeConfigSchema, readConfig } from './config.ts'
import { dataDirLayout } from './data-dir.ts'
import { createDemoModel } from './demo.ts'
import { NodeAlreadyRunningError } from './errors.ts'
import { startNetwork } from './network.ts'
import { openChain } from './open-chain.ts'
import { fetchFromPeers } from './peer-fetch.ts'
import { isNodeAlive, readRuntimeInfo, removeRuntimeInfo, writeRuntimeInfo } from './runtime-file.ts'
import { VersionFollower } from './version-follower.ts'

export interface NodeInit {
  dataDir: string
  passphrase?: string
  /** Overrides on top of `<data>/config.json` (CLI flags). */
  config?: {
    api?: Partial<NodeConfig['api']>
    chain?: Partial<NodeConfig['chain']>
    net?: Partial<NodeConfig['net']>
    store?: Partial<NodeConfig['store']>
    inference?: Partial<NodeConfig['inference']>
    demo?: boolean
  }
  log?: Logger
  onProgress?: (e: { type: string; message: string }) => void
}

/** A running Model Commons node. */
export interface CommonsNode {
  readonly address: `0x${string}`
  readonly apiUrl: string
  readonly rpcUrl: string
  readonly governance: Governance
  readonly chain: ChainReader
  readonly deployment: Deployment
  /** Set on the embedded devnet only. */
  readonly devnet: EmbeddedChain | undefined
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** The composition root: builds and starts every part of a node from its data dir and config. */
export async function createNode(init: NodeInit): Promise<CommonsNode> {
  const log = (init.log ?? createLogger()).child({ component: 'node' })
  const progress = (type: string, message: string) => {
    log.debug({ type }, message)
    init.onProgress?.({ type, message })
  }
  const layout = dataDirLayout(init.dataDir)
  await mkdir(layout.root, { recursive: true, mode: 0o700 })

  const running = await readRuntimeInfo(layout.runtime)
  if (running && (await isNodeAlive(running))) {
    throw new NodeAlreadyRunningError(
      `A node already runs on ${layout.root} (pid ${running.pid}, API ${running.apiUrl}). Stop it first.`,
    )
  }

  const fileConfig = await readConfig(layout.root)
  const config = nodeConfigSchema.parse({
    api: { ...fileConfig.api, ...init.config?.api },
    chain: { ...fileConfig.chain, ...init.config?.chain },
    net: { ...fileConfig.net, ...init.config?.net },
    store: { ...fileConfig.store, ...init.config?.store },
    inference: { ...fileConfig.inference, ...init.config?.inference },
    demo: init.config?.demo ?? fileConfig.demo,
  })

  const cleanups: (() => Promise<void>)[] = []
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err) => log.warn({ err }, 'cleanup failed'))
  }
  try {
    const opened = await openChain({
      dataDir: layout.root,
      passphrase: init.passphrase,
      chain: config.chain,
      log,
      progress,
    })
    cleanups.push(() => opened.close())
    const { devnet, rpcUrl, deployment, access, governance, keystore, nodeAccount } = opened

    // Filled in below; announcements read it lazily.
    let inference: InferenceService | undefined
    progress('net:host:starting', 'starting the peer-to-peer host')
    const network = await startNetwork({
      privateKey: await keystore.privateKeyBytes('node'),
      account: nodeAccount,
      reader: access.reader,
      writer: access.writer(nodeAccount),
      config,
      storeDir: layout.store,
      capabilities: ['governance', 'store'],
      serves: () => inference?.serves() ?? [],
      load: () => inference?.load() ?? 0,
      log,
    })
    cleanups.push(() => network.stop())
    progress('net:host:started', `PeerId ${network.host.peerId} on ${network.host.multiaddrs().join(', ')}`)
    const fetch = (root: string, opts: Parameters<typeof fetchFromPeers>[2] = {}) =>
      fetchFromPeers({ directory: network.directory, replicator: network.replicator, log }, root, opts)

    const followed = new Set<string>()
    for (const m of config.store.follow) {
      const id = await findModelId(access.reader, m)
      if (id === undefined) log.warn({ model: m }, 'store.follow names an unknown model; ignoring it')
      else followed.add(id.toString())
    }
    const follower = new VersionFollower({
      follows: (id) => followed.has(id.toString()),
      has: (root) => network.store.has(root),
      fetch: (root) => fetch(root),
      log,
    })
    cleanups.push(async () => follower.stop())
    const unwatch = watchRegistries(
      { reader: access.reader, log },
      {
        onNodesChanged: () => {
          // Drop peers that left the registry, and forget what they announced.
          void network.host
            .recheckAdmission()
            .then((dropped) => {
              for (const p of dropped) network.directory.remove(p)
            })
            .catch((err) => log.warn({ err }, 'admission re-check failed'))
        },
        onVersionPublished: (e) => {
          follower.onVersionPublished(e)
          void inference?.refresh()
        },
      },
      { pollingIntervalMs: devnet ? 500 : 4_000 },
    )
    cleanups.push(async () => unwatch())

    // Inference: engines for the served models, the router, the infer stream protocol for peers.
    const servingInference = createInferenceService(
      {
        dataDir: layout.root,
        refreshMs: config.inference.refreshMs,
        threads: config.inference.threads,
        sequences: config.inference.sequences,
      },
      {
        resolver: new ChainModelResolver({ reader: access.reader }),
        host: network.host,
        directory: network.directory,
        store: network.store,
        fetch: (root) => fetch(root),
        log,
        onServingChanged: () => network.announcer.publish().catch(() => {}),
      },
    )
    inference = servingInference
    await servingInference.start()
    cleanups.push(() => servingInference.stop())

    // Federated training: answers round requests, coordinates jobs started through /api/training.
    const training = createTrainingService(
      {
        host: network.host,
        chain: access.writer(nodeAccount),
        // TensorFlow.js loads only when this node first trains, not at every start.
        createTrainer: async (spec) =>
          (await import('../training/index.ts')).createTfjsTrainer({ config: spec.modelConfig }),
        contentRoot: async (path) => `0x${(await network.store.add(path)).root}`,
        log,
      },
      { dir: join(layout.root, 'training') },
    )
    await training.start()
    cleanups.push(() => training.stop())

    if (devnet && config.demo && (await governance.listModels()).length === 0) {
      const chain = devnet
      progress('node:demo:creating', 'creating the demo model and publishing its first version by vote')
      const demo = await createDemoModel({
        governance,
        keystore,
        store: network.store,
        dataDir: layout.root,
        fund: (address) => chain.fund(address, DEVNET_FUNDING_WEI),
        warp: (seconds) => chain.warp(seconds),
      })
      await servingInference.refresh()
      await network.announcer.publish().catch(() => {})
      progress(
        'node:demo:created',
        `demo model "${demo.name}" owned 40/35/25 by ${demo.owners.join(', ')}, version 1 served`,
      )
    }

    const metrics = new Metrics()
    metrics.gauge({
      name: 'commons_peers_connected',
      help: 'libp2p peers connected.',
      read: () => network.host.connectedPeers().length,
    })
    metrics.gauge({
      name: 'commons_peers_known',
      help: 'Peers with a live announcement.',
      read: () => network.directory.all().length,
    })
    metrics.gauge({
      name: 'commons_store_contents',
      help: 'Contents in the store.',
      read: () => network.store.ls().length,
    })
    metrics.gauge({
      name: 'commons_store_bytes',
      help: 'Bytes of complete contents in the store.',
      read: () => network.store.ls().reduce((n, x) => n + (x.complete ? x.size : 0), 0),
    })
    metrics.gauge({
      name: 'commons_models_loaded',
      help: 'Model versions loaded for inference.',
      read: () => servingInference.localModels.roots().length,
    })
    metrics.gauge({
      name: 'commons_inference_load',
      help: 'Inference load 0-1.',
      read: () => servingInference.load(),
    })
    metrics.gauge({
      name: 'commons_chain_block',
      help: 'Latest chain block number.',
      read: async () => Number(await access.reader.public.getBlockNumber()),
    })
    const apiToken = await loadOrCreateApiToken(layout.apiToken)
    const app = createApi({
      governance,
      log: log.child({ component: 'api' }),
      apiToken,
      accounts: async () =>
        Promise.all(
          (await keystore.names()).map(async (name: string) => ({
            name,
            address: (await keystore.get(name)).address,
          })),
        ),
      chainInfo: async () => ({
        mode: config.chain.mode,
        rpcUrl,
        chainId: deployment.chainId,
        block: (await access.reader.public.getBlockNumber()).toString(),
        timestamp: (await access.reader.public.getBlock()).timestamp.toString(),
        deployment,
      }),
      warp: devnet ? (seconds) => devnet.warp(seconds) : undefined,
      metrics,
      mounts: [
        {
          path: '/v1',
          app: openAiRoutes(
            {},
            {
              inference: servingInference,
              apiKeys: config.inference.open ? 'open' : new ApiKeyStore({ dataDir: layout.root }),
              log,
            },
          ),
        },
      ],
      health: async () => ({
        address: nodeAccount.address,
        peerId: network.host.peerId,
        chain: config.chain.mode,
      }),
      apiRoutes: [
        {
          path: '/store',
          app: storeRoutes({ store: network.store, log, fetch: (root, opts) => fetch(root, opts) }),
        },
        { path: '/training', app: trainingRoutes({ training }) },
        {
          path: '/peers',
          app: peerRoutes({
            connectedPeers: () => network.host.connectedPeers(),
            directory: network.directory,
            self: () => ({
              peerId: network.host.peerId,
              address: nodeAccount.address,
              multiaddrs: network.host.multiaddrs(),
            }),
          }),
        },
      ],
    })
    const server = await listen(app.fetch, config.api.host, config.api.port)
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const { port } = server.address() as AddressInfo
    const apiUrl = `http://${config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host}:${port}`
    await writeRuntimeInfo(layout.runtime, {
      pid: process.pid,
      apiUrl,
      rpcUrl,
      address: nodeAccount.address,
      startedAt: new Date().toISOString(),
    })
    cleanups.push(() => removeRuntimeInfo(layout.runtime))
    progress('api:server:listening', `API listening on ${apiUrl}`)

    let stopping: Promise<void> | undefined
    const stop = () => {
      stopping ??= cleanup()
      return stopping
    }
    return {
      address: nodeAccount.address,
      apiUrl,
      rpcUrl,
      governance,
      chain: access.reader,
      deployment,
      devnet,
      stop,
      [Symbol.asyncDispose]: stop,
    }
  } catch (err) {
    await cleanup()
    throw err
  }
}

function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  hostname: string,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server))
    server.once('error', (err) =>
      reject(
        new InvalidInputError(`Cannot listen on ${hostname}:${port}: ${err.message}. Use --port.`, {
          cause: err,
        }),
      ),
    )
  })
}
