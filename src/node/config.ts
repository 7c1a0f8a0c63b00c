import { readFile } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'

/** A multiaddr, checked before anything starts (a bad one used to crash libp2p mid-start). */
function multiaddrString(needsPeerId: boolean) {
  return z.string().superRefine((value, ctx) => {
    try {
      const ma = multiaddr(value)
      if (needsPeerId && !ma.getComponents().some((c) => c.name === 'p2p')) {
        ctx.addIssue({ code: 'custom', message: `${value} names no peer: end it with /p2p/<PeerId>` })
      }
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${value} is not a multiaddr (${(err as Error).message})` })
    }
  })
}

import { writeFileAtomic } from '../atomic-file.ts'
import { InvalidConfigError } from './errors.ts'

/** The node's configuration, kept in `<data>/config.json`; CLI flags override it per run. */
export const nodeConfigSchema = z
  .object({
    api: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8480),
        /** Host names the API answers to besides IP addresses and localhost (DNS-rebinding defence). */
        allowedHosts: z.array(z.string().min(1).max(253)).max(64).default([]),
      })
      .strict()
      .prefault({}),
    chain: z
      .object({
        /** `embedded` runs anvil in the data dir; `rpc` uses an external EVM network. */
        mode: z.enum(['embedded', 'rpc']).default('embedded'),
        /** `http(s)://`, `ws(s)://`, or the path of a node's IPC socket on this machine. */
        rpcUrl: z
          .string()
          .refine((v) => /^(https?|wss?):\/\/./.test(v) || v.startsWith('/') || v.startsWith('ipc://'), {
            message: 'must be an http(s):// or ws(s):// URL, or the absolute path of an IPC socket',
          })
          .optional(),
        deploymentFile: z.string().optional(),
        /**
         * Embedded mode: also share the chain with the other members of a local commons on this Unix
         * socket (an absolute path, stable across restarts); they use it as their `rpcUrl`.
         */
        shareSocket: z
          .string()
          .refine((v) => v.startsWith('/') && Buffer.byteLength(v) <= 100, {
            message: 'must be an absolute path of at most 100 bytes (a Unix socket)',
          })
          .optional(),
      })
      .strict()
      .prefault({}),
    net: z
      .object({
        /** libp2p listen multiaddrs. */
        listen: z.array(multiaddrString(false)).default(['/ip4/127.0.0.1/tcp/0']),
        /** Peers to dial on start (multiaddrs with /p2p/<PeerId>). */
        bootstrap: z.array(multiaddrString(true)).default([]),
        /** `registry` admits only nodes registered on chain; `open` admits anyone (public networks). */
        admission: z.enum(['registry', 'open']).default('registry'),
        /**
         * TCP side channel for chunk bodies: single-use tickets and AES-256-GCM keys travel over the
         * Noise-secured libp2p stream; every record is encrypted and authenticated, every chunk
         * sha256-verified. `false` keeps all traffic on libp2p. Without a host it listens on the interface of
         * the first `listen` address, so peers reach it where they reach libp2p.
         */
        bulk: z
          .union([
            z.literal(false),
            z
              .object({
                host: z.string().optional(),
                port: z.number().int().min(0).max(65535).default(0),
              })
              .strict(),
          ])
          .default({ port: 0 }),
        /** Re-announce what this node holds and serves this often (ms). */
        announceIntervalMs: z.number().int().min(0).default(10_000),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        /** Models whose newly published versions this node fetches on its own (ids or names). */
        follow: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    inference: z
      .object({
        /** Serve /v1 without API keys (loopback demos only). */
        open: z.boolean().default(false),
        /** llama.cpp threads per model (default: cores - 1, between 1 and 2: a core stays for the event loop). */
        threads: z.number().int().positive().optional(),
        /** Concurrent sequences per loaded model. */
        sequences: z.number().int().positive().default(2),
        /**
         * Requests per served model running or waiting on this node's engine (from /v1 and from peers);
         * beyond it, 429. Requests this node only forwards to a peer are not counted.
         */
        maxQueuePerModel: z.number().int().positive().max(4096).optional(),
        /** How often to re-check the serving list and newly published versions (ms). */
        refreshMs: z.number().int().min(1_000).default(30_000),
      })
      .strict()
      .prefault({}),
    metering: z
      .object({
        /** How often this node redeems the vouchers it holds on the escrow (seconds; 0: only `commons settle`). */
        settleIntervalSeconds: z.number().int().min(0).default(600),
        /** How long a receipt may stay unpaid before this node claims it from the gateway that asked (seconds). */
        claimAfterSeconds: z.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    /** Create a demo model owned by three local accounts on first start (embedded chain only). */
    demo: z.boolean().default(true),
  })
  .strict()

export type NodeConfig = z.infer<typeof nodeConfigSchema>

/** Reads the config file (`<data>/config.json`), or returns the defaults when there is none. */
export async function readConfig(path: string): Promise<NodeConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return nodeConfigSchema.parse({})
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new InvalidConfigError(`${path} is not valid JSON: ${(err as Error).message}. Fix or delete it.`)
  }
  const parsed = nodeConfigSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new InvalidConfigError(
      `${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}. Fix or delete it.`,
    )
  }
  return parsed.data
}

/** Writes the configuration atomically. */
export function writeConfig(path: string, config: NodeConfig): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`, {
    mode: 0o644,
  })
}
