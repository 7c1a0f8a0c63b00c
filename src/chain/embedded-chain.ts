import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../atomic-file.ts'
import type { Logger } from '../log.ts'
import { type AnvilProcess, killStaleAnvil, startAnvil } from './anvil-process.ts'
import { ANVIL_PID_FILE, CHAIN_STATE_FILE, DEVNET_CHAIN_ID } from './constants.ts'
import { ChainUnavailableError } from './errors.ts'

export interface EmbeddedChainInit {
  /** Directory for chain state and the anvil pid file (`<data>/chain`). */
  dir: string
  log: Logger
  chainId?: number
}

/**
 * The embedded devnet: an anvil child process whose state lives in the data dir. Every `persist()` dumps
 * the whole state atomically, so what was persisted survives a kill -9 of node and chain alike.
 */
export class EmbeddedChain {
  readonly rpcUrl: string
  readonly chainId: number
  private readonly anvil: AnvilProcess
  private readonly statePath: string
  private readonly log: Logger
  private persisting: Promise<void> = Promise.resolve()
  private rpcId = 0

  private constructor(anvil: AnvilProcess, init: EmbeddedChainInit, chainId: number) {
    this.anvil = anvil
    this.rpcUrl = anvil.rpcUrl
    this.chainId = chainId
    this.statePath = join(init.dir, CHAIN_STATE_FILE)
    this.log = init.log
  }

  /** Starts anvil, kills any orphan from a crashed run, and loads the persisted state if there is one. */
  static async start(init: EmbeddedChainInit): Promise<EmbeddedChain> {
    await mkdir(init.dir, { recursive: true })
    const pidFile = join(init.dir, ANVIL_PID_FILE)
    await killStaleAnvil(pidFile, init.log)
    const chainId = init.chainId ?? DEVNET_CHAIN_ID
    const anvil = await startAnvil({ pidFile, log: init.log, chainId })
    const chain = new EmbeddedChain(anvil, init, chainId)
    try {
      await chain.load()
    } catch (err) {
      await anvil.stop()
      throw err
    }
    return chain
  }

  /** Whether state was loaded from disk (false on a fresh data dir). */
  loadedFromDisk = false

  private async load(): Promise<void> {
    let state: string
    try {
      state = (await readFile(this.statePath, 'utf8')).trim()
    } catch {
      return
    }
    if (!/^0x[0-9a-f]*$/i.test(state)) {
      throw new ChainUnavailableError(
        `The chain state file ${this.statePath} is corrupt (not hex). Restore it from a backup or move it away to start a new chain.`,
      )
    }
    await this.rpc('anvil_loadState', [state])
    this.loadedFromDisk = true
    await this.reanchorTime()
    this.log.info({ path: this.statePath }, 'chain state loaded')
  }

  /**
   * anvil 1.7.1 forgets its time offset across dump/load, so blocks after a reload could go back in time
   * (after a warp). Restore the offset so the clock continues from max(head + 1, now).
   */
  private async reanchorTime(): Promise<void> {
    const head = await this.rpc<{ timestamp: `0x${string}` }>('eth_getBlockByNumber', ['latest', false])
    const headTs = Number.parseInt(head.timestamp, 16)
    const now = Math.floor(Date.now() / 1000)
    if (headTs >= now) await this.rpc('evm_increaseTime', [headTs - now + 1])
    else await this.rpc('evm_setNextBlockTimestamp', [now])
    await this.rpc('evm_mine', [])
  }

  /** Dumps the chain state to the data dir atomically; calls are serialized, so the last call's state wins. */
  persist(): Promise<void> {
    const next = this.persisting.then(async () => {
      const state = await this.rpc<string>('anvil_dumpState', [])
      await writeFileAtomic(this.statePath, state)
    })
    this.persisting = next.catch(() => {})
    return next
  }

  /** Moves chain time forward (devnet only) and mines a block at the new time. */
  async warp(seconds: number): Promise<bigint> {
    await this.rpc('evm_increaseTime', [seconds])
    await this.rpc('evm_mine', [])
    await this.persist()
    const head = await this.rpc<{ timestamp: `0x${string}` }>('eth_getBlockByNumber', ['latest', false])
    return BigInt(head.timestamp)
  }

  /** Gives an address a devnet balance so it can pay gas. */
  async fund(address: `0x${string}`, wei: bigint): Promise<void> {
    await this.rpc('anvil_setBalance', [address, `0x${wei.toString(16)}`])
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
    try {
      await this.persist()
    } catch (err) {
      this.log.warn({ err }, 'could not persist chain state on stop')
    }
    await this.anvil.stop()
  }

  /** Kills anvil without persisting (crash simulation in tests). */
  async kill(): Promise<void> {
    process.kill(this.anvil.pid, 'SIGKILL')
    await this.anvil.stop()
  }

  private async rpc<T>(method: string, params: unknown[]): Promise<T> {
    const res = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++this.rpcId, method, params }),
    })
    const body = (await res.json()) as { result?: T; error?: { message: string } }
    if (body.error) throw new ChainUnavailableError(`anvil ${method} failed: ${body.error.message}`)
    return body.result as T
  }
}
