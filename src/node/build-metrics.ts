import { type LabelledCounter, Metrics } from '../api/index.ts'
import type { ChainReader } from '../chain/index.ts'
import type { NodeNetwork } from './network.ts'

/** What the node's gauges read. */
export interface NodeMetricsComponents {
  network: Pick<NodeNetwork, 'host' | 'directory' | 'store'>
  /** Roots of the model versions loaded for inference. */
  loadedRoots(): string[]
  /** Published versions that did not load here since start. */
  loadFailures?(): number
  /** Inference load 0-1. */
  inferenceLoad(): number
  reader: ChainReader
  /** Counters the node's parts keep (policy refusals, ...). */
  counters?: Pick<LabelledCounter, 'render'>[]
}

/** The node's Prometheus gauges: peers, store, loaded models, inference load, chain head. */
export function buildMetrics(c: NodeMetricsComponents): Metrics {
  const metrics = new Metrics()
  for (const counter of c.counters ?? []) metrics.counter(counter)
  const { host, directory, store } = c.network
  metrics.gauge({
    name: 'commons_peers_connected',
    help: 'libp2p peers connected.',
    read: () => host.connectedPeers().length,
  })
  metrics.gauge({
    name: 'commons_peers_known',
    help: 'Peers with a live announcement.',
    read: () => directory.all().length,
  })
  metrics.gauge({
    name: 'commons_store_contents',
    help: 'Contents in the store.',
    read: () => store.ls().length,
  })
  metrics.gauge({
    name: 'commons_store_bytes',
    help: 'Bytes of complete contents in the store.',
    read: () => store.ls().reduce((n, x) => n + (x.complete ? x.size : 0), 0),
  })
  metrics.gauge({
    name: 'commons_models_loaded',
    help: 'Model versions loaded for inference.',
    read: () => c.loadedRoots().length,
  })
  metrics.gauge({
    name: 'commons_model_load_failures',
    help: 'Published model versions that did not load on this node since start (the previous version keeps serving).',
    read: () => c.loadFailures?.() ?? 0,
  })
  metrics.gauge({
    name: 'commons_inference_load',
    help: 'Inference load 0-1.',
    read: () => c.inferenceLoad(),
  })
  metrics.gauge({
    name: 'commons_chain_block',
    help: 'Latest chain block number.',
    read: async () => Number(await c.reader.public.getBlockNumber()),
  })
  return metrics
}
