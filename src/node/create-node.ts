import { mkdir } from 'node:fs/promises'
import { ApiKeyStore, LabelledCounter, openAiRoutes, SignInSessions } from '../api/index.ts'
import type { EmbeddedChain } from '../chain/index.ts'
import { DEVNET_FUNDING_WEI, relayTermsAcceptance } from '../chain/index.ts'
import { createDataCommons } from '../data/index.ts'
import { createTrainingService } from '../federated/index.ts'
import type { Governance } from '../governance/index.ts'
import {
  createInferenceService,
  type InferenceService,
  LoadFailures,
  updateServingList,
} from '../inference/index.ts'
import type { Logger } from '../log.ts'
import { createTfjsTrainer } from '../training/index.ts'
import { startApiServer } from './api-server.ts'
import { loadOrCreateApiToken } from './api-token.ts'
import { buildApi, type NodeApiComponents } from './build-api.ts'
import { buildMetrics, type NodeMetricsComponents } from './build-metrics.ts'
import { ChainModelResolver } from './chain-model-resolver.ts'
import { Cleanups } from './cleanups.ts'
import type { NodeConfig } from './config.ts'
import { type DataDirLayout, dataDirLayout } from './data-dir.ts'
import { tightenDataDirPermissions } from './data-dir-permissions.ts'
import { createDemoModel } from './demo.ts'
import { NodeAlreadyRunningError } from './errors.ts'
import { createEvaluations } from './evaluations.ts'
import { followVersions } from './follow-versions.ts'
import type { CommonsNode, NodeInit } from './index.ts'
import type { Keystore } from './keystore.ts'
import { loadNodeConfig } from './load-config.ts'
import { startUsage } from './metering.ts'
import { type NodeNetwork, startNetwork } from './network.ts'
import { type OpenedChain, openChain } from './open-chain.ts'
import { fetchFromPeers } from './peer-fetch.ts'
import { type NodeProgress, type NodeStartStep, nodeProgress } from './progress.ts'
import { StoreReleaseChecks } from './release-checks.ts'
import { isNodeAlive, readRuntimeInfo } from './runtime-file.ts'
import { usageApi } from './usage-api.ts'

/** The composition root: builds and starts every part of a node from its data dir and config. */
export async function startNode(init: NodeInit, components: { log: Logger }): Promise<CommonsNode> {
  const { log, progress, layout, config } = await prepareNode(init, components.log)
  const cleanups = new Cleanups(log)
  try {
    // Filled in below; announcements read it lazily.
    let inference: InferenceService | undefined
    // Governance checks a version's content (and keeps model cards) in the store, which starts below.
    const release = new StoreReleaseChecks({ modelsDir: layout.models })
    const { opened, network, fetch } = await startChainAndNetwork(
      { passphrase: init.passphrase, layout, config, release },
      { progress, log, cleanups },
      {
        serves: () => inference?.serves() ?? [],
        load: () => inference?.load() ?? 0,
      },
    )
    const { devnet, rpcUrl, deployment, access, governance, keystore, nodeAccount } = opened
    release.attach(network.store)
    // Published versions that did not load here: the resolver skips them, so the last good one keeps serving.
    const loadFailures = new LoadFailures()

    const stopFollowing = await followVersions(
      {
        follow: config.store.follow,
        pollingIntervalMs: devnet ? 500 : 4_000,
        // An external chain keeps its block numbers, so a restart resumes where it stopped. The embedded chain
        // re-mines its journal on start (block numbers change) and its node sees every event it replays.
        cursorFile: devnet ? undefined : layout.chainCursor,
        onVersionPublished: () => void inference?.refresh(),
      },
      { reader: access.reader, network, fetch: (root) => fetch(root), log },
    )
    cleanups.push(async () => stopFollowing())
    const apiKeyStore = config.inference.open ? undefined : new ApiKeyStore({ path: layout.apiKeys })

    // The usage policy of every model, and metering: vouchers, receipts and settlement.
    const { metering, usagePolicy } = await startUsage({
      dir: layout.usage,
      config: config.metering,
      ...{ deployment, access, keystore, nodeAccount, network, log, cleanups },
    })
    // Inference: engines for the served models, the router, the infer stream protocol for peers.
    const servingInference = createInferenceService(
      {
        paths: { servingList: layout.servingList, models: layout.models },
        refreshMs: config.inference.refreshMs,
        threads: config.inference.threads,
        sequences: config.inference.sequences,
        maxInFlightPerModel: config.inference.maxQueuePerModel,
      },
      {
        resolver: new ChainModelResolver({
          reader: access.reader,
          unloadable: (root) => loadFailures.has(root),
        }),
        failures: loadFailures,
        host: network.host,
        directory: network.directory,
        store: network.store,
        fetch: (root) => fetch(root),
        log,
        onServingChanged: () => network.announcer.publish().catch(() => {}),
        admitPeerRequest: (req) => usagePolicy.admitPeerRequest(req),
        meter: metering?.meter,
        servedMeter: metering?.servedMeter,
      },
    )
    inference = servingInference
    await servingInference.start()
    cleanups.push(() => servingInference.stop())

    // Federated training: answers round requests, coordinates jobs started through /api/training.
    const training = createTrainingService(
      { dir: layout.training },
      {
        host: network.host,
        chain: access.writer(nodeAccount),
        // TensorFlow.js loads only when this node first trains, not at every start (createTfjsTrainer imports it).
        createTrainer: (spec) => createTfjsTrainer({ config: spec.modelConfig }, { log }),
        contentRoot: async (path) => `0x${(await network.store.add(path)).root}`,
        log,
      },
    )
    await training.start()
    cleanups.push(() => training.stop())

    if (devnet && config.demo && (await governance.listModels()).length === 0) {
      await startDemo({
        governance,
        keystore,
        devnet,
        layout,
        network,
        progress,
        refresh: () => servingInference.refresh(),
      })
    }

    // Consumers sign in with Ethereum for this chain; their sessions are accepted by `/v1` like keys.
    const sessions = new SignInSessions({ chainId: deployment.chainId })
    const refusals = new LabelledCounter(
      'commons_policy_refusals_total',
      'Requests refused by a model usage policy.',
    )
    const { apiUrl } = await serveApi(
      { config, layout, cleanups },
      {
        ...{ config, governance, keystore, rpcUrl, deployment, devnet, nodeAccount, network, training, log },
        data: createDataCommons({}, { chain: access.writer(nodeAccount) }),
        reader: access.reader,
        fetch: (root, opts) => fetch(root, opts),
        v1: openAiRoutes(
          {},
          {
            ...{ inference: servingInference, apiKeys: apiKeyStore ?? 'open', sessions, log },
            // A keyless loopback /v1 acts for the node's operator (who pays for paid models).
            openConsumer: nodeAccount.address,
            policy: usagePolicy.gate,
            onRefusal: (reason, model) => refusals.inc({ reason, model }),
          },
        ),
        counters: metering === undefined ? [refusals] : [refusals, metering.stats],
        usage: usageApi({ metering, governance, keystore, access }),
        terms: termsRelay(sessions, apiKeyStore, access.writer(nodeAccount)),
        apiKeys: apiKeyStore,
        sessions,
        servingList: layout.servingList,
        refreshServing: () => void servingInference.refresh(),
        loadedRoots: () => servingInference.localModels.roots(),
        loadFailures: () => loadFailures.total(),
        evaluations: createEvaluations({
          governance,
          store: network.store,
          fetch: (root) => fetch(root),
          threads: config.inference.threads,
          log,
        }),
        servingStatus: () => servingStatus(servingInference, loadFailures),
        inferenceLoad: () => servingInference.load(),
      },
    )
    progress('api:server:listening', { message: `API listening on ${apiUrl}`, apiUrl })

    return nodeHandle(opened, apiUrl, cleanups)
  } catch (err) {
    await cleanups.run()
    throw err
  }
}

/** Relays consumers' signed acceptances of usage terms, for the consumer a session or API key acts for. */
function termsRelay(
  sessions: SignInSessions,
  apiKeys: ApiKeyStore | undefined,
  writer: Parameters<typeof relayTermsAcceptance>[0],
) {
  return {
    consumerOf: async (token: string) =>
      SignInSessions.isSessionToken(token)
        ? sessions.verify(token)?.address
        : (((await apiKeys?.verify(token))?.address as `0x${string}` | null | undefined) ?? undefined),
    relay: (p: Parameters<typeof relayTermsAcceptance>[1]) => relayTermsAcceptance(writer, p),
  }
}

/** What this node serves, and the published versions that did not load here. */
function servingStatus(inference: InferenceService, loadFailures: LoadFailures) {
  return {
    serving: inference.serving().map((m) => ({
      model: m.modelName,
      modelId: m.modelId,
      version: m.versionId,
      contentRoot: m.contentRoot,
    })),
    failures: loadFailures.all(),
  }
}

/** The running node as its caller sees it. */
function nodeHandle(
  opened: Pick<OpenedChain, 'nodeAccount' | 'rpcUrl' | 'governance' | 'access' | 'deployment' | 'devnet'>,
  apiUrl: string,
  cleanups: Cleanups,
): CommonsNode {
  const stop = () => cleanups.run()
  const { nodeAccount, rpcUrl, governance, access, deployment, devnet } = opened
  const address = nodeAccount.address
  return {
    address,
    apiUrl,
    rpcUrl,
    governance,
    chain: access.reader,
    deployment,
    devnet,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

/** Resolves the data dir (refusing one a running node holds) and the config; builds the node's log and progress. */
async function prepareNode(init: NodeInit, rootLog: Logger) {
  const log = rootLog.child({ component: 'node' })
  const progress = nodeProgress(log, init.onProgress)
  const layout = dataDirLayout(init.dataDir)
  await mkdir(layout.root, { recursive: true, mode: 0o700 })
  await tightenDataDirPermissions(layout)
  await refuseIfRunning(layout)
  return { log, progress, layout, config: await loadNodeConfig(layout.config, init.config) }
}

/** Opens the keys and the chain, then starts the network on them: the parts everything else uses. */
async function startChainAndNetwork(
  init: {
    passphrase: string | undefined
    layout: DataDirLayout
    config: NodeConfig
    release: StoreReleaseChecks
  },
  c: { progress: NodeProgress; log: Logger; cleanups: Cleanups },
  offer: Pick<Parameters<typeof startNetwork>[0], 'serves' | 'load'>,
) {
  const { layout, config } = init
  // A version's card shows its lineage, read through the data commons once the chain is open.
  let lineageOf: ((modelId: string, versionId: string) => Promise<unknown>) | undefined
  const opened = await openChain({
    paths: layout,
    passphrase: init.passphrase,
    chain: config.chain,
    log: c.log,
    release: {
      versionCheck: init.release,
      cards: init.release,
      lineage: (modelId, versionId) => lineageOf?.(modelId, versionId) ?? Promise.resolve(null),
    },
    // openChain names its steps in the same `domain:thing:verb` words (see NodeStartStep).
    progress: (type, message) => c.progress(type as NodeStartStep, { message }),
  })
  c.cleanups.push(() => opened.close())
  const { keystore, nodeAccount, access } = opened
  const data = createDataCommons({}, { chain: access.writer(nodeAccount) })
  lineageOf = (model, version) => data.lineage({ model, version })
  c.progress('net:host:starting', { message: 'starting the peer-to-peer host' })
  const network = await startNetwork({
    ...offer,
    privateKey: await keystore.privateKeyBytes('node'),
    account: nodeAccount,
    reader: access.reader,
    writer: access.writer(nodeAccount),
    config,
    storeDir: layout.store,
    capabilities: ['governance', 'store'],
    log: c.log,
  })
  c.cleanups.push(() => network.stop())
  const { peerId } = network.host
  const multiaddrs = network.host.multiaddrs()
  c.progress('net:host:started', {
    message: `PeerId ${peerId} on ${multiaddrs.join(', ')}`,
    peerId,
    multiaddrs,
  })
  const fetch = (root: string, opts: Parameters<typeof fetchFromPeers>[2] = {}) =>
    fetchFromPeers({ directory: network.directory, replicator: network.replicator, log: c.log }, root, opts)
  return { opened, network, fetch }
}

/** Serves the node's API (metrics included) and registers its shutdown. */
async function serveApi(
  init: { config: NodeConfig; layout: DataDirLayout; cleanups: Cleanups },
  c: Omit<NodeApiComponents, 'apiToken' | 'metrics'> & Omit<NodeMetricsComponents, 'reader'>,
): Promise<{ apiUrl: string }> {
  const metrics = buildMetrics(c)
  const app = buildApi({ ...c, apiToken: await loadOrCreateApiToken(init.layout.apiToken), metrics })
  const server = await startApiServer(
    {
      ...init.config.api,
      runtimeFile: init.layout.runtime,
      rpcUrl: c.rpcUrl,
      address: c.nodeAccount.address,
    },
    { fetch: app.fetch },
  )
  init.cleanups.push(() => server.close())
  return server
}

/** Creates the demo model on a fresh devnet, and serves and announces it. */
async function startDemo(c: {
  governance: Governance
  keystore: Keystore
  devnet: EmbeddedChain
  layout: DataDirLayout
  network: Pick<NodeNetwork, 'store' | 'announcer'>
  refresh(): Promise<unknown>
  progress: NodeProgress
}): Promise<void> {
  c.progress('node:demo:creating', {
    message: 'creating the demo model and publishing its first version by vote',
  })
  const owners = ['alice', 'bob', 'carol'] as const
  for (const name of owners) {
    const account = await c.keystore.get(name, { create: true })
    await c.devnet.fund(account.address, DEVNET_FUNDING_WEI)
  }
  const demo = await createDemoModel({
    governance: c.governance,
    creator: 'node',
    owners,
    addWeights: async (file) => {
      const added = await c.network.store.add(file, { name: 'commons-demo-v1.gguf' })
      return { root: added.root, size: added.manifest.size }
    },
    tmpDir: c.layout.tmp,
    warp: (seconds) => c.devnet.warp(seconds),
  })
  await updateServingList(c.layout.servingList, demo.name)
  await c.refresh()
  await c.network.announcer.publish().catch(() => {})
  const message = `demo model "${demo.name}" owned 40/35/25 by ${demo.owners.join(', ')}, version 1 served`
  c.progress('node:demo:created', { message, model: demo.name })
}

/** Refuses to start a second node on a data dir whose node still answers. */
async function refuseIfRunning(layout: DataDirLayout): Promise<void> {
  const running = await readRuntimeInfo(layout.runtime)
  if (running && (await isNodeAlive(running))) {
    throw new NodeAlreadyRunningError(
      `A node already runs on ${layout.root} (pid ${running.pid}, API ${running.apiUrl}). Stop it first.`,
    )
  }
}
