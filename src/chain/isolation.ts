import { spawnSync } from 'node:child_process'

/**
 * How a child process is fenced in on this machine (Linux):
 * - `network`: it runs in a network namespace of its own (`unshare --user --map-root-user --net`), so a
 *   port it listens on is reachable by no other process; the node talks to it over a socket file.
 * - `parentDeath`: the kernel sends it SIGTERM when the process that started it dies, kill -9 included
 *   (`setpriv --pdeathsig`), so it never outlives the node.
 */
export interface Isolation {
  readonly network: boolean
  readonly parentDeath: boolean
  /** The command line that runs `command args` fenced in as far as this machine allows. */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] }
}

let probed: Isolation | undefined

/** Probes once per process what this machine allows (util-linux `unshare` and `setpriv`, user namespaces). */
export function processIsolation(): Isolation {
  probed ??= probe()
  return probed
}

function probe(): Isolation {
  if (process.platform !== 'linux') return noIsolation
  const network = works('unshare', ['--user', '--map-root-user', '--net', 'true'])
  const parentDeath = works('setpriv', ['--pdeathsig', 'TERM', 'true'])
  return {
    network,
    parentDeath,
    wrap(command, args) {
      let line = [command, ...args]
      // setpriv last, so the death signal is set on the very process that becomes the child: both exec.
      if (parentDeath) line = ['setpriv', '--pdeathsig', 'TERM', '--', ...line]
      if (network) line = ['unshare', '--user', '--map-root-user', '--net', '--', ...line]
      const [first, ...rest] = line
      return { command: first!, args: rest }
    },
  }
}

const noIsolation: Isolation = {
  network: false,
  parentDeath: false,
  wrap: (command, args) => ({ command, args: [...args] }),
}

function works(command: string, args: string[]): boolean {
  try {
    return spawnSync(command, args, { stdio: 'ignore', timeout: 5_000 }).status === 0
  } catch {
    return false
  }
}
