import { mkdir, mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Transport } from 'viem'
import { writeFileAtomic } from '../atomic-file.ts'
import type { Logger } from '../log.ts'
import { type AnvilProcess, killStaleAnvil, startAnvil } from './anvil-process.ts'
import { ChainJournal, type JournalEntry, type NewJournalEntry } from './chain-journal.ts'
import { chainTransport } from './chain-transport.ts'
import {
  ANVIL_IPC_FILE,
  ANVIL_PID_FILE,
  CHAIN_HEAD_FILE,
  CHAIN_JOURNAL_FILE,
  CHAIN_STATE_FILE,
  DEVNET_CHAIN_ID,
  SHARED_CHAIN_JOURNAL_INTERVAL_MS,
} from './constants.ts'
import { ChainUnavailableError } from './errors.ts'
import { shareChainSocket } from './shared-chain-socket.ts'

export interface EmbeddedChainInit {
  /** Directory for chain state and the anvil pid file (`<data>/chain`). */
  dir: string
  log: Logger
  chainId?: number
}

/**
 * The embedded devnet: an anvil child process whose state lives in the data dir as a snapshot (a full
 * state dump, written atomically) plus a journal of every change since (fsynced appends). A confirmed
 * transaction is journaled before it is reported, so it survives a kill -9 of node and chain alike.
 * The journal follows the chain block by block (every block since the last one journaled, whoever sent
 * its transactions), so a chain shared with other members (`share`) keeps their transactions too.
 */
export class EmbeddedChain {
  /** The chain's endpoint: anvil's IPC socket (see anvil-process.ts for who can reach it). */
  readonly rpcUrl: string
  readonly chainId: number
  private readonly anvil: AnvilProcess
  private readonly statePath: string
  private readonly dir: string
  private readonly journal: ChainJournal
  private readonly log: Logger
  /** Serializes journaling and snapshots: one at a time, in order. */
  private persisting: Promise<void> = Promise.resolve()
  /** The last block the journal (or the snapshot) holds. */
  private journaledHead = 0
  private sharing: { close(): Promise<void>; timer: NodeJS.Timeout } | undefined
  private readonly transport: ReturnType<Transport>
  /** The highest block a journalThrough call has asked for (queued calls' blocks are journaled together). */
  private wanted = 0
  /** Signed bytes of this process's transactions not journaled yet, by transaction hash. */
  private readonly signed = new Map<string, `0x${string}`>()

  private constructor(anvil: AnvilProcess, init: EmbeddedChainInit, chainId: number) {
    this.anvil = anvil
    this.rpcUrl = anvil.rpcUrl
    this.transport = chainTransport(anvil.rpcUrl, { retryCount: 0 })({})
    this.chainId = chainId
    this.statePath = join(init.dir, CHAIN_STATE_FILE)
    this.dir = init.dir
    this.journal = new ChainJournal(join(init.dir, CHAIN_JOURNAL_FILE))
    this.log = init.log
  }

  /** Starts anvil, kills any orphan from a crashed run, and loads the persisted state if there is one. */
  static async start(init: EmbeddedChainInit): Promise<EmbeddedChain> {
    await mkdir(init.dir, { recursive: true })
    const pidFile = join(init.dir, ANVIL_PID_FILE)
    await killStaleAnvil(pidFile, init.log)
    const chainId = init.chainId ?? DEVNET_CHAIN_ID
    const anvil = await startAnvil({
      pidFile,
      ipcPath: await ipcSocketPath(init.dir),
      log: init.log,
      chainId,
      genesisTimestamp: await earliestTimestamp(init.dir),
    })
    const chain = new EmbeddedChain(anvil, init, chainId)
    try {
      await chain.load()
      chain.journaledHead = (await chain.headBlock()).number
    } catch (err) {
      await anvil.stop()
      throw err
    }
    return chain
  }

  private async load(): Promise<void> {
    let state: string | undefined
    try {
      state = (await readFile(this.statePath, 'utf8')).trim()
    } catch {}
    const entries = await this.journal.read()
    if (state === undefined && entries.length === 0) return
    if (state !== undefined) {
      if (!/^0x[0-9a-f]*$/i.test(state)) {
        throw new ChainUnavailableError(
          `The chain state file ${this.statePath} is corrupt (not hex). Restore it from a backup or move it away to start a new chain.`,
        )
      }
      await this.rpc('anvil_loadState', [state])
    }
    const replayed = await this.replay(entries, await this.headBlock())
    await this.reanchorTime()
    // Fold the replayed journal into a fresh snapshot so the next start replays nothing.
    if (entries.length > 0) await this.snapshot()
    this.log.info({ path: this.statePath, replayed }, 'chain state loaded')
  }

  /**
   * Replays the journal over the snapshot block by block: a block's transactions are sent with automine off
   * and mined together at the recorded time, so the replayed chain has the same blocks, in the same order,
   * at the same times. Replaying them one block each (as before) moved a block's later transactions into
   * later blocks and later seconds, which could push a vote past its proposal's deadline: the vote, and
   * then the queue and the execution that depended on it, reverted, and a publication was lost.
   */
  private async replay(
    entries: JournalEntry[],
    head: { number: number; timestamp: number },
  ): Promise<number> {
    const pending = entries.filter(
      (e) => e.block > head.number || (e.op === 'balance' && e.block === head.number),
    )
    if (pending.length === 0) return 0
    await this.rpc('evm_setAutomine', [false])
    try {
      let last = head
      for (let i = 0; i < pending.length; ) {
        const e = pending[i]!
        if (e.op === 'balance') {
          await this.rpc('anvil_setBalance', [e.address, `0x${BigInt(e.wei).toString(16)}`])
          i++
          continue
        }
        const raws: `0x${string}`[] = []
        while (i < pending.length && pending[i]!.op !== 'balance' && pending[i]!.block === e.block) {
          const tx = pending[i]!
          if (tx.op === 'tx') raws.push(tx.raw as `0x${string}`)
          i++
        }
        for (const raw of raws) await this.rpc('eth_sendRawTransaction', [raw])
        // The recorded time, but never before the block under it (anvil may have bumped a timestamp).
        await this.rpc('evm_setNextBlockTimestamp', [Math.max(e.timestamp, last.timestamp)])
        await this.rpc('evm_mine', [])
        last = await this.headBlock()
        const mined = await this.rpc<{ transactions: string[] }>('eth_getBlockByNumber', ['latest', false])
        if (last.number !== e.block || mined.transactions.length !== raws.length) {
          this.log.warn(
            {
              expected: e.block,
              actual: last.number,
              transactions: raws.length,
              mined: mined.transactions.length,
            },
            'replayed block differs from the journal',
          )
        }
      }
    } finally {
      await this.rpc('evm_setAutomine', [true])
    }
    return pending.length
  }

  private async headBlock(): Promise<{ number: number; timestamp: number }> {
    const head = await this.rpc<{ number: `0x${string}`; timestamp: `0x${string}` }>('eth_getBlockByNumber', [
      'latest',
      false,
    ])
    return { number: Number.parseInt(head.number, 16), timestamp: Number.parseInt(head.timestamp, 16) }
  }

  /**
   * anvil 1.7.1 forgets its time offset across dump/load, so blocks after a reload could go back in time
   * (after a warp). Restore the offset so the clock continues from max(head + 1, now).
   */
  private async reanchorTime(): Promise<void> {
    const head = await this.headBlock()
    const now = Math.floor(Date.now() / 1000)
    // anvil_setTime sets the clock outright, whatever offset `--timestamp` or a replay left behind.
    await this.rpc('anvil_setTime', [Math.max(head.timestamp + 1, now)])
    await this.rpc('evm_mine', [])
  }

  /**
   * Journals the block of a mined transaction (and every block before it not yet journaled: its signed
   * raw transactions and timestamp) and fsyncs: after this resolves the transaction survives a crash.
   * Call it before reporting the transaction confirmed.
   */
  recordTransaction(
    tx: { transactionHash: `0x${string}`; blockNumber: bigint },
    // The sender's signed bytes, when this process signed it: journaled as they are instead of read back
    // (keyed by their hash, which is the transaction's). Every other transaction of the block is read.
    signed?: `0x${string}`,
  ): Promise<void> {
    const block = Number(tx.blockNumber)
    if (signed !== undefined && block > this.journaledHead) {
      if (this.signed.size >= MAX_SIGNED_KEPT) this.signed.delete(this.signed.keys().next().value!)
      this.signed.set(tx.transactionHash, signed)
    }
    return this.journalThrough(block)
  }

  /**
   * Journals every block up to `block` not journaled yet, in order, with one write and one fsync; calls are
   * serialized, and one that finds blocks asked for by calls queued behind it journals those too (group
   * commit: a burst of confirmations shares fsyncs; each call still resolves only after one covers its block).
   */
  journalThrough(block: number): Promise<void> {
    this.wanted = Math.max(this.wanted, block)
    return this.serialized(async () => {
      if (this.journaledHead >= block) return
      const through = this.wanted
      // Read the blocks (and the transactions not signed here) at once, then journal them in order.
      const first = this.journaledHead + 1
      const blocks = await Promise.all(
        Array.from({ length: through - first + 1 }, (_, i) => first + i).map(async (n) => {
          const found = await this.rpc<{ timestamp: `0x${string}`; transactions: `0x${string}`[] } | null>(
            'eth_getBlockByNumber',
            [`0x${n.toString(16)}`, false],
          )
          if (!found)
            throw new ChainUnavailableError(`anvil does not know block ${n}; it cannot be journaled.`)
          const raws = await Promise.all(found.transactions.map((hash) => this.rawTransaction(hash)))
          return { n, timestamp: Number.parseInt(found.timestamp, 16), raws }
        }),
      )
      const entries: NewJournalEntry[] = []
      for (const { n, timestamp, raws } of blocks) {
        if (raws.length === 0) entries.push({ op: 'mine', block: n, timestamp })
        for (const raw of raws) entries.push({ op: 'tx', block: n, timestamp, raw })
      }
      await this.journal.appendAll(entries)
      this.journaledHead = through
    })
  }

  /** A mined transaction's signed bytes: as this process signed them, else read from anvil. */
  private async rawTransaction(hash: `0x${string}`): Promise<`0x${string}`> {
    const kept = this.signed.get(hash)
    this.signed.delete(hash)
    const raw = kept ?? (await this.rpc<`0x${string}` | null>('eth_getRawTransactionByHash', [hash]))
    if (!raw)
      throw new ChainUnavailableError(`anvil does not know transaction ${hash}; it cannot be journaled.`)
    return raw
  }

  /** Journals every block mined so far. */
  async journalHead(): Promise<void> {
    await this.journalThrough((await this.headBlock()).number)
  }

  /**
   * Shares this chain with the other members of a local commons on a Unix socket at `path` (stable across
   * restarts, so they reconnect on their own). What they send is journaled like the node's own.
   */
  async share(path: string): Promise<void> {
    const socket = await shareChainSocket(path, {
      upstreamPath: this.rpcUrl,
      journalThrough: (block) => this.journalThrough(block),
      journalHead: () => this.journalHead(),
      journalBalance: (address, wei) => this.journalBalance(address, wei),
      log: this.log,
    })
    // Blocks nobody asked a receipt for are journaled within a second too.
    const timer = setInterval(() => {
      this.journalHead().catch((err) => this.log.debug({ err }, 'journaling the shared chain failed'))
    }, SHARED_CHAIN_JOURNAL_INTERVAL_MS)
    timer.unref()
    this.sharing = { close: () => socket.close(), timer }
  }

  private serialized(work: () => Promise<void>): Promise<void> {
    const next = this.persisting.then(work)
    this.persisting = next.catch(() => {})
    return next
  }

  /**
   * Dumps the whole chain state to the data dir atomically and empties the journal. Calls are serialized.
   * Slower than journaling (it grows with the chain): the node does it at start, stop and deployment.
   */
  snapshot(): Promise<void> {
    return this.serialized(async () => {
      const journaled = this.journal.lastSeq
      const state = await this.rpc<string>('anvil_dumpState', [])
      const head = await this.headBlock()
      // Written first: a crash between the two leaves an older head time, which is still safe.
      await writeFileAtomic(join(this.dir, CHAIN_HEAD_FILE), JSON.stringify(head))
      await writeFileAtomic(this.statePath, state)
      await this.journal.dropThrough(journaled)
    })
  }

  /** Moves chain time forward (devnet only) and mines a block at the new time. */
  async warp(seconds: number): Promise<bigint> {
    await this.rpc('evm_increaseTime', [seconds])
    await this.rpc('evm_mine', [])
    const head = await this.headBlock()
    await this.journalThrough(head.number)
    return BigInt(head.timestamp)
  }

  /** Gives an address a devnet balance so it can pay gas. */
  async fund(address: `0x${string}`, wei: bigint): Promise<void> {
    await this.rpc('anvil_setBalance', [address, `0x${wei.toString(16)}`])
    await this.journalBalance(address, wei)
  }

  private async journalBalance(address: `0x${string}`, wei: bigint): Promise<void> {
    const block = (await this.headBlock()).number
    await this.serialized(() => this.journal.append({ op: 'balance', block, address, wei: wei.toString() }))
  }

  /** An address's balance in wei. */
  async balance(address: `0x${string}`): Promise<bigint> {
    return BigInt(await this.rpc<string>('eth_getBalance', [address, 'latest']))
  }

  /** Whether a contract is deployed at the address. */
  async hasCode(address: `0x${string}`): Promise<boolean> {
    const code = await this.rpc<string>('eth_getCode', [address, 'latest'])
    return code !== '0x' && code !== ''
  }

  /** Persists and stops anvil. Idempotent. */
  async stop(): Promise<void> {
    await this.stopSharing()
    try {
      await this.snapshot()
    } catch (err) {
      this.log.warn({ err }, 'could not snapshot chain state on stop; the journal still holds every change')
    }
    await this.journal.close()
    await this.anvil.stop()
  }

  /** Kills anvil without persisting (crash simulation in tests). */
  async kill(): Promise<void> {
    await this.stopSharing()
    process.kill(this.anvil.pid, 'SIGKILL')
    await this.anvil.stop()
    await this.journal.close()
  }

  private async stopSharing(): Promise<void> {
    if (!this.sharing) return
    clearInterval(this.sharing.timer)
    await this.sharing.close()
    this.sharing = undefined
  }

  /** How anvil is fenced in on this machine, and the HTTP address it printed (for checks and logs). */
  get confinement(): { network: boolean; parentDeath: boolean; httpAddress: string } {
    return { ...this.anvil.isolation, httpAddress: this.anvil.httpAddress }
  }

  private async rpc<T>(method: string, params: unknown[]): Promise<T> {
    try {
      return (await this.transport.request({ method, params })) as T
    } catch (err) {
      throw new ChainUnavailableError(`anvil ${method} failed: ${(err as Error).message}`, { cause: err })
    }
  }
}

/**
 * The earliest block time the persisted chain needs (snapshot head, first journaled block). anvil 1.7.1
 * takes its own start time as the floor for later blocks, which would refuse replaying older blocks.
 */
async function earliestTimestamp(dir: string): Promise<number | undefined> {
  const times: number[] = []
  try {
    const head = JSON.parse(await readFile(join(dir, CHAIN_HEAD_FILE), 'utf8')) as { timestamp?: unknown }
    if (typeof head.timestamp === 'number') times.push(head.timestamp)
  } catch {}
  for (const e of await new ChainJournal(join(dir, CHAIN_JOURNAL_FILE)).read()) {
    if (e.op !== 'balance') times.push(e.timestamp)
  }
  return times.length > 0 ? Math.min(...times) : undefined
}

/**
 * Where anvil's IPC socket goes: in the chain dir (private to the node's user), or, when that path is too
 * long for a Unix socket (108 bytes on Linux), in a fresh private directory under the system's tmp.
 */
async function ipcSocketPath(dir: string): Promise<string> {
  const inDir = join(dir, ANVIL_IPC_FILE)
  if (Buffer.byteLength(inDir) <= MAX_SOCKET_PATH_BYTES) return inDir
  return join(await mkdtemp(join(tmpdir(), 'commons-chain-')), ANVIL_IPC_FILE)
}

const MAX_SOCKET_PATH_BYTES = 100
/** Signed transactions kept for the journal at most (an older one is read back from anvil). */
const MAX_SIGNED_KEPT = 1024
