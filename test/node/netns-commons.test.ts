import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { writeDeployment } from '../../src/chain/deployment.ts'
import { nodeConfigSchema, writeConfig } from '../../src/node/config.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { startHttpChain } from '../helpers/http-anvil.ts'
import { createLan } from '../helpers/netns.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { writeTinyModel } from '../inference/fixtures.ts'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'commons.js')

interface Member {
  dir: string
  child?: ChildProcess
  apiUrl?: string
}

test('three members on separate hosts (network namespaces): join with invites, replicate a model, serve it, fail over', async (t) => {
  const started = Date.now()
  await using lan = createLan(3)
  t.diagnostic(
    lan.kind === 'netns'
      ? 'separate network namespaces, one address each, joined by a bridge'
      : 'FALLBACK: ip netns refused here; members on distinct 127.x loopback addresses of one host',
  )
  const dirs = [await tmpDir(), await tmpDir(), await tmpDir()]
  const members: Member[] = dirs.map((d) => ({ dir: d.path }))
  const run = (i: number, args: string[]) =>
    cli(lan.wrap(i, process.execPath, [BIN, '--data', members[i - 1]!.dir, ...args]))
  try {
    // Member 1 founds the commons: its node key deploys the contracts to a chain on the LAN's host side.
    const keys = await Promise.all(
      dirs.map((d) => new Keystore({ dir: join(d.path, 'accounts') }).create('node')),
    )
    await using chain = await startHttpChain({ host: lan.hostIp, deployer: keys[0] })
    for (const k of keys.slice(1)) await chain.fund(k.address)
    await writeDeployment(join(dirs[0]!.path, 'deployment.json'), chain.deployment)
    for (let i = 1; i <= 3; i++) {
      await writeConfig(
        join(members[i - 1]!.dir, 'config.json'),
        nodeConfigSchema.parse({
          api: { host: lan.ip(i), port: 0 },
          // In namespaces, every interface (loopback included): what the node announces must still be
          // its LAN address. On the loopback fallback, each member's own 127.x address.
          net: {
            listen: [lan.kind === 'netns' ? '/ip4/0.0.0.0/tcp/0' : `/ip4/${lan.ip(i)}/tcp/0`],
            announceIntervalMs: 500,
          },
          inference: { threads: 1, refreshMs: 1_000 },
          demo: false,
          ...(i === 1
            ? {
                chain: {
                  mode: 'rpc',
                  rpcUrl: chain.rpcUrl,
                  deploymentFile: join(members[0]!.dir, 'deployment.json'),
                },
              }
            : {}),
        }),
      )
    }
    const mark = (what: string) => t.diagnostic(`${what} at ${Date.now() - started} ms`)
    mark('chain up')
    await startMember(
      lan.wrap(1, process.execPath, [BIN, '--data', members[0]!.dir, '--json', 'up']),
      members[0]!,
    )
    const api = apiOf(members[0]!)

    // A model owned by member 1, its weights in member 1's store, published by vote.
    const created = await api.post('/api/models', {
      name: 'lan-model',
      owners: [{ owner: 'node', shares: '100' }],
    })
    const model = await writeTinyModel(members[0]!.dir, { seed: 11 })
    const added = await run(1, ['--json', 'store', 'add', model.path, '--propose', 'lan-model'])
    assert.equal(added.code, 0, added.stderr)
    const { ref } = JSON.parse(added.stdout).proposal
    const root: string = JSON.parse(added.stdout).root
    await chain.warp(601)
    await api.post(`/api/proposals/${ref}/votes`, { account: 'node', support: 'for' })
    await chain.warp(86_401)
    await api.post(`/api/proposals/${ref}/queue`, {})
    await chain.warp(3_601)
    await api.post(`/api/proposals/${ref}/execute`, {})

    mark('model published')
    // Member 1 invites; members 2 and 3 join with the invite from their own hosts.
    const invited = await run(1, [
      '--json',
      'invite',
      '--expires',
      '1h',
      // On the loopback fallback the chain URL is a loopback one: say explicitly it is the one to hand out.
      ...(lan.kind === 'loopback' ? ['--rpc-url', chain.rpcUrl] : []),
    ])
    assert.equal(invited.code, 0, invited.stderr)
    const invite = JSON.parse(invited.stdout)
    assert.equal(invite.rpcUrl, chain.rpcUrl)
    assert.ok(invite.bootstrap.length > 0)
    for (const addr of invite.bootstrap as string[]) {
      assert.ok(addr.startsWith(`/ip4/${lan.ip(1)}/`), `member 1 announces a reachable address, not ${addr}`)
    }
    for (const i of [2, 3]) {
      await startMember(
        lan.wrap(i, process.execPath, [BIN, '--data', members[i - 1]!.dir, '--json', 'join', invite.invite]),
        members[i - 1]!,
      )
    }
    mark('members 2 and 3 joined')
    const nodes = await api.get('/api/nodes')
    for (const i of [2, 3]) {
      const n = nodes.nodes.find((x: { address: string }) => x.address === keys[i - 1]!.address)
      assert.ok(n, `member ${i} registered itself`)
      assert.ok(
        n.multiaddrs.length > 0 && n.multiaddrs.every((a: string) => a.startsWith(`/ip4/${lan.ip(i)}/`)),
        `member ${i} registers only its LAN address: ${n.multiaddrs}`,
      )
    }

    // Replication: member 2 fetches the weights from member 1 across the LAN, on the bulk channel.
    await until('member 2 connected to member 1', async () => (await peersWithRoots(members[1]!)) > 0)
    const fetched = await run(2, ['--json', 'store', 'fetch', root])
    assert.equal(fetched.code, 0, fetched.stderr)
    assert.ok(
      JSON.parse(fetched.stdout).bulkChunks > 0,
      'chunks came over the bulk channel at the LAN address',
    )

    mark('replicated')
    // Members 2 and 3 serve the model; member 1 (which does not serve it) routes /v1 to them.
    for (const i of [2, 3]) assert.equal((await run(i, ['serve', 'lan-model'])).code, 0)
    const key = await run(1, ['--json', 'key', 'create', '--label', 'lan'])
    assert.equal(key.code, 0, key.stderr)
    const apiKey: string = JSON.parse(key.stdout).key
    await until(
      'members 2 and 3 serve the model',
      async () => (await servingPeers(members[0]!, String(created.id))) === 2,
      20_000,
      async () =>
        JSON.stringify({
          peers1: await fetch(`${members[0]!.apiUrl}/api/peers`).then((r) => r.json()),
          serving2: await apiOf(members[1]!).get('/api/serving'),
          store3: await apiOf(members[2]!).get('/api/store'),
        }),
    )
    mark('served')
    const ask = () => complete(members[0]!.apiUrl!, apiKey)
    assert.equal((await ask()).usage.completion_tokens, 4)

    // Fail over: kill -9 a serving member; a request through member 1 still completes (on member 3).
    members[1]!.child!.kill('SIGKILL')
    const reply = await ask()
    assert.equal(reply.usage.completion_tokens, 4)
    t.diagnostic(`${lan.kind}: whole scenario in ${Date.now() - started} ms`)
  } finally {
    for (const m of members) await stopMember(m)
    for (const d of dirs) await d[Symbol.asyncDispose]()
  }
})

async function complete(apiUrl: string, apiKey: string) {
  const deadline = Date.now() + 20_000
  for (;;) {
    const res = await fetch(`${apiUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'lan-model',
        messages: [{ role: 'user', content: 'Hi' }],
        max_tokens: 4,
        temperature: 0,
      }),
    })
    const body = (await res.json()) as any
    if (res.ok) return body
    if (Date.now() > deadline) throw new Error(`/v1 answered ${res.status}: ${JSON.stringify(body)}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

function apiOf(m: Member) {
  const call = async (method: string, path: string, body?: unknown) => {
    const token = (await readFile(join(m.dir, 'api-token'), 'utf8')).trim()
    const res = await fetch(`${m.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await res.json()) as any
    assert.ok(res.ok, `${path}: ${JSON.stringify(json)}`)
    return json
  }
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
  }
}

async function peersWithRoots(m: Member): Promise<number> {
  const peers = (await fetch(`${m.apiUrl}/api/peers`).then((r) => r.json())) as any
  return peers.peers.filter((p: any) => p.connected && p.roots > 0).length
}

async function servingPeers(m: Member, model: string): Promise<number> {
  const peers = (await fetch(`${m.apiUrl}/api/peers`).then((r) => r.json())) as any
  return peers.peers.filter((p: any) => p.connected && p.serves.some((s: any) => s.model.startsWith(model)))
    .length
}

async function until(
  what: string,
  fn: () => Promise<boolean>,
  timeoutMs = 30_000,
  debug?: () => Promise<string>,
): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${debug ? `: ${await debug()}` : ''}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

function cli(line: {
  command: string
  args: string[]
}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(line.command, line.args, {
      env: { ...process.env, COMMONS_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

/** Starts a long-running node command (`up`, `join`) and waits for the line that names its API. */
async function startMember(line: { command: string; args: string[] }, m: Member): Promise<void> {
  const child = spawn(line.command, line.args, {
    env: { ...process.env, COMMONS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  m.child = child
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const lines = createInterface({ input: child.stdout! })
  m.apiUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start in 60 s: ${stderr}`)), 60_000)
    lines.on('line', (l) => {
      // `join --json` prints its result over several lines, then `up` prints its ready line.
      let apiUrl: string | undefined
      try {
        apiUrl = (JSON.parse(l) as { apiUrl?: string }).apiUrl
      } catch {}
      if (apiUrl) {
        clearTimeout(timer)
        resolve(apiUrl)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node exited with ${code}: ${stderr}`))
    })
  })
}

async function stopMember(m: Member): Promise<void> {
  const child = m.child
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}
