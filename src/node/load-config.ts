import { type NodeConfig, nodeConfigSchema, readConfig } from './config.ts'

/** Per-run overrides of the config file, section by section (CLI flags). */
export interface NodeConfigOverrides {
  api?: Partial<NodeConfig['api']>
  chain?: Partial<NodeConfig['chain']>
  net?: Partial<NodeConfig['net']>
  store?: Partial<NodeConfig['store']>
  inference?: Partial<NodeConfig['inference']>
  demo?: boolean
}

/** The node's config: the config file with the per-run overrides on top, validated. */
export async function loadNodeConfig(path: string, overrides: NodeConfigOverrides = {}): Promise<NodeConfig> {
  const file = await readConfig(path)
  return nodeConfigSchema.parse({
    api: { ...file.api, ...overrides.api },
    chain: { ...file.chain, ...overrides.chain },
    net: { ...file.net, ...overrides.net },
    store: { ...file.store, ...overrides.store },
    inference: { ...file.inference, ...overrides.inference },
    demo: overrides.demo ?? file.demo,
  })
}
