import { spawn } from 'node:child_process'
import { anvilBinaryPath } from '../../src/chain/anvil-process.ts'
import { jsonRpc } from './json-rpc.ts'

/** A plain anvil serving HTTP JSON-RPC on a free loopback port (the embedded chain speaks IPC only). */
export interface HttpAnvil extends AsyncDisposable {
  rpcUrl: string
  port: number
  rpc(method: string, params?: unknown[]): Promise<unknown>
  warp(seconds: number): Promise<void>
}

export async function startHttpAnvil(): Promise<HttpAnvil> {
  const child = spawn(
    anvilBinaryPath(),
    ['--host', '127.0.0.1', '--port', '0', '--accounts', '0', '--chain-id', '31337'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`anvil did not start: ${out}`)), 20_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    })
    child.once('exit', (code) => reject(new Error(`anvil exited with ${code}: ${out}`)))
  })
  child.stdout.resume()
  const rpcUrl = `http://127.0.0.1:${port}`
  const rpc = jsonRpc(rpcUrl)
  return {
    rpcUrl,
    port,
    rpc,
    warp: async (seconds) => {
      await rpc('evm_increaseTime', [seconds])
      await rpc('evm_mine', [])
    },
    [Symbol.asyncDispose]: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGKILL')
      await exited
    },
  }
}
