import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { freePort, jsonRpc } from './json-rpc.ts'
import { tmpDir } from './tmp-dir.ts'

/**
 * The second EVM: Hardhat Network (Nomic Foundation's EDR), started from the `hardhat` npm package as
 * `hardhat node` on a loopback HTTP port. Another node implementation than anvil (its own JSON-RPC
 * server, mempool, mining, fee market, `hardhat_*` instead of `anvil_*` helpers); both execute with the
 * revm interpreter. ganache (ethereumjs) would share less, but it has no cancun and our contracts (through
 * OpenZeppelin 5's `Bytes`) need MCOPY; tevm's published packages do not load (see docs/deploy.md).
 */
export interface HardhatEvm extends AsyncDisposable {
  rpcUrl: string
  chainId: number
  rpc(method: string, params?: unknown[]): Promise<unknown>
  mine(): Promise<unknown>
  warp(seconds: number): Promise<void>
  fund(address: `0x${string}`, wei: bigint): Promise<void>
}

export const HARDHAT_CHAIN_ID = 31_338

export async function startHardhatEvm(): Promise<HardhatEvm> {
  const dir = await tmpDir('hardhat-evm-')
  const config = join(dir.path, 'hardhat.config.cjs')
  await writeFile(
    config,
    `module.exports = { networks: { hardhat: { chainId: ${HARDHAT_CHAIN_ID}, hardfork: 'cancun', accounts: { count: 1 } } } }\n`,
  )
  const cli = createRequire(import.meta.url).resolve('hardhat/internal/cli/cli.js')
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [cli, '--config', config, 'node', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      // Hardhat refuses to run unless it is installed where it runs: the project's root.
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', NO_COLOR: '1' },
    },
  )
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGKILL')
      await exited
    }
    await dir[Symbol.asyncDispose]()
  }
  try {
    await new Promise<void>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`hardhat node did not start in 60 s: ${out}`)), 60_000)
      const seen = (d: Buffer) => {
        out += d.toString()
        if (out.includes('Started HTTP')) {
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout.on('data', seen)
      child.stderr.on('data', seen)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`hardhat node exited with ${code}: ${out}`))
      })
    })
  } catch (err) {
    await stop()
    throw err
  }
  // It logs every call: keep reading so its pipe never fills, keep nothing.
  child.stdout.resume()
  child.stderr.resume()
  const rpcUrl = `http://127.0.0.1:${port}`
  const rpc = jsonRpc(rpcUrl)
  return {
    rpcUrl,
    chainId: HARDHAT_CHAIN_ID,
    rpc,
    mine: () => rpc('evm_mine', []),
    warp: async (seconds) => {
      await rpc('evm_increaseTime', [seconds])
      await rpc('evm_mine', [])
    },
    fund: async (address, wei) => {
      await rpc('hardhat_setBalance', [address, `0x${wei.toString(16)}`])
    },
    [Symbol.asyncDispose]: stop,
  }
}
