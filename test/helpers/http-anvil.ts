import { type ChildProcess, spawn } from 'node:child_process'
import { type PrivateKeyAccount, parseEther, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { anvilBinaryPath } from '../../src/chain/anvil-process.ts'
import { type Deployment, deployContracts } from '../../src/chain/index.ts'
import { bootstrapAccess } from './bootstrap-access.ts'

/** A real anvil on an HTTP address other machines (or network namespaces) can reach, with the contracts. */
export interface HttpChain extends AsyncDisposable {
  rpcUrl: string
  deployment: Deployment
  /** The account that deployed the contracts (the commons's founding member unless more are listed). */
  deployer: PrivateKeyAccount
  fund(address: `0x${string}`, eth?: string): Promise<void>
  warp(seconds: number): Promise<void>
}

/** Starts anvil on `host` (port 0), optionally inside a network namespace, and deploys the contracts. */
export async function startHttpChain(
  opts: {
    host?: string
    netns?: string
    deployer?: PrivateKeyAccount
    membership?: NonNullable<Parameters<typeof deployContracts>[1]>['membership']
  } = {},
): Promise<HttpChain> {
  const host = opts.host ?? '127.0.0.1'
  const args = ['--host', host, '--port', '0', '--chain-id', '31337', '--accounts', '0', '--no-cors']
  const command = opts.netns ? 'ip' : anvilBinaryPath()
  const argv = opts.netns ? ['netns', 'exec', opts.netns, anvilBinaryPath(), ...args] : args
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  const rpcUrl = await listening(child, host)
  const rpc = async (method: string, params: unknown[]) => {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    })
    const body = (await res.json()) as { error?: { message: string } }
    if (body.error) throw new Error(`${method}: ${body.error.message}`)
  }
  const fund = (address: `0x${string}`, eth = '100') =>
    rpc('anvil_setBalance', [address, toHex(parseEther(eth))])
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
  }
  try {
    const deployer = opts.deployer ?? privateKeyToAccount(generatePrivateKey())
    await fund(deployer.address, '1000')
    const bootstrap = bootstrapAccess(rpcUrl)
    const deployment = await deployContracts(bootstrap.writer(deployer), { membership: opts.membership })
    return {
      rpcUrl,
      deployment,
      deployer,
      fund,
      warp: async (seconds) => {
        await rpc('evm_increaseTime', [seconds])
        await rpc('evm_mine', [])
      },
      [Symbol.asyncDispose]: stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

function listening(child: ChildProcess, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`anvil did not start: ${out.slice(-300)}`)), 15_000)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const m = /Listening on [^\s:]+:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(`http://${host}:${m[1]}`)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (c) => (out += c.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`anvil exited (${code}): ${out.slice(-300)}`))
    })
  })
}
