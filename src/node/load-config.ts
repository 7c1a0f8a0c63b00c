import { readDeployment } from '../chain/index.ts'
import { type NodeConfig, nodeConfigSchema, readConfig } from './config.ts'
import { InvalidConfigError } from './errors.ts'

/** Per-run overrides of the config file, section by section (CLI flags). */
export interface NodeConfigOverrides {
  api?: Partial<NodeConfig['api']>
  chain?: Partial<NodeConfig['chain']>
  net?: Partial<NodeConfig['net']>
  store?: Partial<NodeConfig['store']>
  inference?: Partial<NodeConfig['inference']>
  metering?: Partial<NodeConfig['metering']>
  demo?: boolean
}

/** The node's config: the config file with the per-run overrides on top, validated. */
export async function loadNodeConfig(path: string, overrides: NodeConfigOverrides = {}): Promise<NodeConfig> {
  const file = await readConfig(path)
  const parsed = nodeConfigSchema.safeParse({
    api: { ...file.api, ...overrides.api },
    chain: { ...file.chain, ...overrides.chain },
    net: { ...file.net, ...overrides.net },
    store: { ...file.store, ...overrides.store },
    inference: { ...file.inference, ...overrides.inference },
    metering: { ...file.metering, ...overrides.metering },
    demo: overrides.demo ?? file.demo,
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidConfigError(
      `The node's settings (${path} and the command's flags): ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`,
    )
  }
  const config = parsed.data
  if (config.inference.open && !isLoopback(config.api.host)) {
    throw new InvalidConfigError(
      `inference.open serves /v1 to anyone without an API key, so it is allowed only on a loopback address; api.host is ${config.api.host}. Issue API keys (\`commons key create\`) or listen on 127.0.0.1.`,
    )
  }
  if (config.chain.mode === 'rpc') await checkRpcChain(config.chain)
  return config
}

/** An RPC chain needs its URL and a valid deployment file, checked before anything starts. */
async function checkRpcChain(chain: NodeConfig['chain']): Promise<void> {
  if (!chain.rpcUrl) {
    throw new InvalidConfigError(
      'chain.mode is "rpc" but chain.rpcUrl is not set: pass --rpc <url>, or set chain.mode to "embedded".',
    )
  }
  if (chain.deploymentFile === undefined) return
  try {
    await readDeployment(chain.deploymentFile)
  } catch (err) {
    throw new InvalidConfigError(
      `chain.deploymentFile: ${(err as Error).message} Write one with \`commons deploy --rpc ${chain.rpcUrl} --deployment <file>\`.`,
      { cause: err },
    )
  }
}

/** Whether a listen address is reachable only from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}
