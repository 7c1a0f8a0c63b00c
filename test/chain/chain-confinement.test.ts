import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readdir, readFile, readlink, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { createPublicClient } from 'viem'
import { chainTransport } from '../../src/chain/chain-transport.ts'
import { EmbeddedChain } from '../../src/chain/embedded-chain.ts'
import { silentLogger } from '../../src/log.ts'
import { alive } from '../helpers/process.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

/** Inodes of the TCP sockets listening in this process's network namespace (what any local process can reach). */
async function hostListeningInodes(): Promise<Set<string>> {
  const inodes = new Set<string>()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').slice(1)
    for (const line of lines) {
      const cols = line.trim().split(/\s+/)
      if (cols[3] === '0A') inodes.add(cols[9]!) // 0A: LISTEN
    }
  }
  return inodes
}

async function socketInodesOf(pid: number): Promise<string[]> {
  const out: string[] = []
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const m = /^socket:\[(\d+)\]$/.exec(target)
    if (m) out.push(m[1]!)
  }
  return out
}

test('no other process can drive the embedded chain: anvil listens on no port of this machine, only on a socket in the private data dir', async () => {
  await using dir = await tmpDir()
  const chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  try {
    const pid = Number(await readFile(join(dir.path, 'anvil.pid'), 'utf8'))
    assert.equal(
      chain.confinement.network,
      true,
      'this Linux machine runs anvil in a network namespace of its own',
    )
    // The attack: find anvil's port the way a local process would, and call a cheat method on it.
    const listening = await hostListeningInodes()
    const exposed = (await socketInodesOf(pid)).filter((inode) => listening.has(inode))
    assert.deepEqual(exposed, [], 'none of anvil sockets listens in the host network namespace')
    const attack = await fetch(chain.confinement.httpAddress, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'anvil_setBalance',
        params: ['0x' + '11'.repeat(20), '0x1'],
      }),
    }).then(
      async (r) => (await r.text()).includes('"result"'),
      () => false,
    )
    assert.equal(
      attack,
      false,
      `the address anvil printed (${chain.confinement.httpAddress}) does not reach it`,
    )
    // The only way in is the socket file, in a directory only the node's user can open.
    assert.ok((await stat(chain.rpcUrl)).isSocket())
    assert.equal(dirname(chain.rpcUrl), dir.path)
    // The node itself drives the chain through it.
    const client = createPublicClient({ transport: chainTransport(chain.rpcUrl) })
    assert.equal(await client.getChainId(), 31337)
  } finally {
    await chain.stop()
  }
})

test('anvil never outlives the process that started it, even one killed with SIGKILL', async () => {
  await using dir = await tmpDir()
  const script = `
    import { EmbeddedChain } from ${JSON.stringify(join(import.meta.dirname, '../../src/chain/embedded-chain.ts'))}
    import { silentLogger } from ${JSON.stringify(join(import.meta.dirname, '../../src/log.ts'))}
    await EmbeddedChain.start({ dir: ${JSON.stringify(dir.path)}, log: silentLogger })
    process.stdout.write('ready\\n')
    setInterval(() => {}, 1000)
  `
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve())
    child.once('exit', (code) => reject(new Error(`the chain process exited with ${code}`)))
  })
  const anvilPid = Number(await readFile(join(dir.path, 'anvil.pid'), 'utf8'))
  assert.ok(alive(anvilPid))
  child.kill('SIGKILL')
  for (let i = 0; i < 100 && alive(anvilPid); i++) await new Promise((r) => setTimeout(r, 20))
  assert.equal(alive(anvilPid), false, 'anvil died with its parent')
})
