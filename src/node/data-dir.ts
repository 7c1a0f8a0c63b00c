import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** Where everything of one node lives. */
export interface DataDirLayout {
  root: string
  accounts: string
  chain: string
  deployment: string
  /** Written while a node runs: its pid and API URL, so the CLI can find it. */
  runtime: string
  apiToken: string
  store: string
}

/** The data dir: `--data`, else COMMONS_DATA, else `~/.commons`. */
export function resolveDataDir(flag?: string): string {
  return resolve(flag ?? process.env.COMMONS_DATA ?? join(homedir(), '.commons'))
}

/** The paths inside a data dir. */
export function dataDirLayout(root: string): DataDirLayout {
  return {
    root,
    accounts: join(root, 'accounts'),
    chain: join(root, 'chain'),
    deployment: join(root, 'chain', 'deployment.json'),
    runtime: join(root, 'node.json'),
    apiToken: join(root, 'api-token'),
    store: join(root, 'store'),
  }
}
