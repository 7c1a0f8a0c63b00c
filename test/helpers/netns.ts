import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/**
 * Separate hosts on one machine: each member in a network namespace of its own, with one address on a
 * veth pair into a bridge (the "LAN"), its own loopback up and shared with nobody. The bridge's own
 * address is the host side, where a chain can listen. Needs root and iproute2
 * (scripts/install-system-deps.sh installs it).
 */
export interface Lan extends AsyncDisposable {
  /** `netns` (separate namespaces) or `loopback` (fallback: distinct 127.x addresses on one loopback). */
  kind: 'netns' | 'loopback'
  /** The address of member i (1-based). */
  ip(i: number): string
  /** Where the chain listens (the bridge, on the host side). */
  hostIp: string
  /** The command line that runs `command args` as member i. */
  wrap(i: number, command: string, args: string[]): { command: string; args: string[] }
}

/** Whether this machine lets us create network namespaces (root, iproute2). */
export function netnsAvailable(): boolean {
  const probe = `mcprobe${randomBytes(3).toString('hex')}`
  const add = spawnSync('ip', ['netns', 'add', probe], { stdio: 'ignore' })
  if (add.status !== 0) return false
  spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' })
  return true
}

/**
 * A LAN of `n` members in network namespaces, or (labelled `loopback`) distinct 127.x addresses where the
 * machine refuses namespaces (or COMMONS_TEST_LAN=loopback asks for it).
 */
export function createLan(n: number): Lan {
  if (process.env.COMMONS_TEST_LAN === 'loopback' || !netnsAvailable()) {
    const net = 100 + Math.floor(Math.random() * 100)
    return {
      kind: 'loopback',
      ip: (i) => `127.${net}.0.${i}`,
      hostIp: `127.${net}.0.254`,
      wrap: (_i, command, args) => ({ command, args }),
      async [Symbol.asyncDispose]() {},
    }
  }
  const tag = randomBytes(2).toString('hex')
  const subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`
  const bridge = `mcb${tag}`
  const ns = (i: number) => `mcn${tag}-${i}`
  const ip = (cmd: string[]) => execFileSync('ip', cmd, { stdio: ['ignore', 'ignore', 'pipe'] })
  const dispose = () => {
    for (let i = 1; i <= n; i++) spawnSync('ip', ['netns', 'del', ns(i)], { stdio: 'ignore' })
    spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' })
  }
  try {
    ip(['link', 'add', bridge, 'type', 'bridge'])
    ip(['addr', 'add', `${subnet}.254/24`, 'dev', bridge])
    ip(['link', 'set', bridge, 'up'])
    for (let i = 1; i <= n; i++) {
      const veth = `mcv${tag}${i}`
      ip(['netns', 'add', ns(i)])
      ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns(i)])
      ip(['link', 'set', veth, 'master', bridge])
      ip(['link', 'set', veth, 'up'])
      ip(['-n', ns(i), 'addr', 'add', `${subnet}.${i}/24`, 'dev', 'eth0'])
      ip(['-n', ns(i), 'link', 'set', 'eth0', 'up'])
      ip(['-n', ns(i), 'link', 'set', 'lo', 'up'])
    }
  } catch (err) {
    dispose()
    throw err
  }
  return {
    kind: 'netns',
    ip: (i) => `${subnet}.${i}`,
    hostIp: `${subnet}.254`,
    wrap: (i, command, args) => ({ command: 'ip', args: ['netns', 'exec', ns(i), command, ...args] }),
    async [Symbol.asyncDispose]() {
      dispose()
    },
  }
}
