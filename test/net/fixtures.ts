import { randomBytes } from 'node:crypto'
import { silentLogger } from '../../src/log.ts'
import type { AdmissionCheck } from '../../src/net/admission-gate.ts'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import { createCommonsHost } from '../../src/net/index.ts'
import { addressFromPeerId } from '../../src/net/peer-identity.ts'

/** An in-memory NodeRegistry stand-in: a mutable set of admitted addresses. */
export class Allowlist {
  readonly addresses = new Set<string>()
  readonly check: AdmissionCheck = async ({ address }) => this.addresses.has(address.toLowerCase())
  add(...peers: Array<CommonsHost | string>): void {
    for (const p of peers) this.addresses.add(addressOf(p).toLowerCase())
  }
  remove(peer: CommonsHost | string): void {
    this.addresses.delete(addressOf(peer).toLowerCase())
  }
}

function addressOf(p: CommonsHost | string): string {
  return typeof p === 'string' ? (p.startsWith('0x') ? p : addressFromPeerId(p)) : p.address
}

/** Starts a host on 127.0.0.1 port 0 with the allowlist as admission; a fresh key unless given. */
export async function startHost(
  allowlist: Allowlist | 'open',
  opts: { privateKey?: Uint8Array; cacheTtlMs?: number; bootstrap?: string[] } = {},
): Promise<CommonsHost> {
  const host = createCommonsHost(
    {
      privateKey: opts.privateKey ?? randomBytes(32),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: opts.bootstrap,
      admission: allowlist === 'open' ? 'open' : 'registry',
      isAdmitted: allowlist === 'open' ? undefined : allowlist.check,
      admissionCacheTtlMs: opts.cacheTtlMs ?? 100,
    },
    { log: silentLogger },
  )
  await host.start()
  return host
}

/** Waits until `cond` holds or throws after `ms`. */
export async function eventually(
  cond: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await cond()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}
