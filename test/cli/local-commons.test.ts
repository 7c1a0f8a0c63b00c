import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { createPublicClient } from 'viem'
import { chainTransport } from '../../src/chain/chain-transport.ts'
import { runCli } from '../helpers/cli.ts'
import { alive } from '../helpers/process.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

// `npm start` end to end: the launcher, three member processes, the shared chain. One commons for the file.
const ROOT = join(import.meta.dirname, '..', '..')
const dir = await tmpDir()
/** The commons running now: a failed test must not leave it behind. */
let running: Started | undefined
/** Stops the commons a failed test left running (Ctrl-C to its process group), so the next one can start. */
async function stopLeftover(): Promise<void> {
  if (running && running.npm.exitCode === null && running.npm.signalCode === null) {
    process.kill(-running.npm.pid!, 'SIGINT')
    await running.exited
  }
}
after(async () => {
  await stopLeftover()
  await dir[Symbol.asyncDispose]()
})
const BASE_PORT = 21_000 + Math.floor(Math.random() * 400) * 20

interface Started {
  npm: ChildProcess
  info: {
    readyMs: number
    memoryBytes: number
    pids: number[]
    chainSocket: string
    model: { name: string; contentRoot: string }
    members: {
      name: string
      address: string
      apiUrl: string
      serves: boolean
      hostsChain: boolean
      pid: number
    }[]
  }
  exited: Promise<void>
}

async function startCommons(): Promise<Started> {
  await stopLeftover()
  // Its own process group, like a terminal's foreground job: Ctrl-C signals every process in it.
  const npm = spawn('npm', ['start', '--', '--data', dir.path, '--json', '--port', String(BASE_PORT)], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COMMONS_LOG_LEVEL: 'warn' },
  })
  let stderr = ''
  npm.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()))
  running = { npm, exited } as Started
  let stdout = ''
  const info = await new Promise<Started['info']>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the commons did not start in 120 s: ${stderr}`)),
      120_000,
    )
    npm.stdout!.on('data', (d) => {
      stdout += d
      const line = stdout.split('\n').find((l) => l.startsWith('{'))
      if (line && stdout.includes('\n')) {
        clearTimeout(timer)
        resolve(JSON.parse(line))
      }
    })
    void exited.then(() => reject(new Error(`npm start exited before it was ready: ${stderr}`)))
  })
  running.info = info
  return running
}

async function ask(apiUrl: string): Promise<string> {
  const res = await fetch(`${apiUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'commons-demo',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 4,
    }),
    signal: AbortSignal.timeout(60_000),
  })
  const body = (await res.json()) as { choices?: { message: { content: string } }[] }
  assert.equal(res.status, 200, `${apiUrl}: ${JSON.stringify(body)}`)
  return body.choices![0]!.message.content
}

async function api(member: { apiUrl: string; name: string }, path: string, body?: unknown): Promise<any> {
  const token = (await readFile(join(dir.path, 'members', member.name, 'api-token'), 'utf8')).trim()
  const res = await fetch(`${member.apiUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`)
  return res.json()
}

/** Waits until the launcher has restarted a member (a new pid in its node.json, and its API answers). */
async function restarted(name: string, oldPid: number): Promise<number> {
  for (let i = 0; i < 600; i++) {
    try {
      const runtime = JSON.parse(await readFile(join(dir.path, 'members', name, 'node.json'), 'utf8'))
      if (runtime.pid !== oldPid && (await fetch(`${runtime.apiUrl}/healthz`)).ok) return runtime.pid
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${name} was not restarted`)
}

async function ctrlC(s: Started, pids: number[]): Promise<void> {
  process.kill(-s.npm.pid!, 'SIGINT')
  await new Promise((r) => setTimeout(r, 30))
  process.kill(-s.npm.pid!, 'SIGINT')
  await s.exited
  for (let i = 0; i < 200 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 25))
  assert.deepEqual(pids.filter(alive), [], 'every process of the commons (launcher, members, anvil) is gone')
}

let first: Started['info']
let delegation: `0x${string}`

test('npm start: three members answer /v1, one serving member is killed and the others still answer, Ctrl-C leaves no process', async () => {
  const s = await startCommons()
  first = s.info
  const [university, clinic, ngo] = s.info.members
  assert.deepEqual(
    s.info.members.map((m) => [m.name, m.hostsChain, m.serves]),
    [
      ['university', true, true],
      ['clinic', false, true],
      ['ngo', false, false],
    ],
  )
  console.log(
    `local commons ready in ${s.info.readyMs} ms, ${Math.round(s.info.memoryBytes / 2 ** 20)} MB RSS in ${s.info.pids.length} processes`,
  )
  for (const m of s.info.members) await ask(m.apiUrl)
  // The model is replicated to all three.
  for (const m of s.info.members) {
    const { contents } = await api(m, '/api/store')
    assert.ok(
      contents.some((c: { root: string }) => c.root === s.info.model.contentRoot),
      `${m.name} holds it`,
    )
  }

  // kill -9 of a serving member: the others answer (ngo forwards to the university).
  process.kill(clinic!.pid, 'SIGKILL')
  await ask(ngo!.apiUrl)
  await ask(university!.apiUrl)
  const clinicPid = await restarted('clinic', clinic!.pid)

  // A transaction another member confirms (the resume test finds it again).
  delegation = (
    await api(ngo!, '/api/delegations', { account: 'node', model: 'commons-demo', to: university!.address })
  ).transactionHash
  await ctrlC(s, [...s.info.pids, clinicPid])
})

test('npm start again resumes: the same members, addresses and model, and what was confirmed', async () => {
  const s = await startCommons()
  assert.deepEqual(
    s.info.members.map((m) => [m.name, m.address, m.apiUrl]),
    first.members.map((m) => [m.name, m.address, m.apiUrl]),
  )
  assert.equal(s.info.model.contentRoot, first.model.contentRoot)
  const chain = createPublicClient({ transport: chainTransport(s.info.chainSocket) })
  assert.equal((await chain.getTransactionReceipt({ hash: delegation })).status, 'success')
  console.log(`resumed in ${s.info.readyMs} ms, ${Math.round(s.info.memoryBytes / 2 ** 20)} MB RSS`)
  for (const m of s.info.members) await ask(m.apiUrl)
  // `commons status` on the main data dir: each member's chain (the host's, or the shared socket), peers,
  // what it serves, its usage.
  const status = await runCli(dir.path, ['status'])
  assert.equal(status.code, 0, status.stderr)
  const sections = status.stdout.split(/^── /m).slice(1)
  assert.deepEqual(
    sections.map((x) => x.split('\n')[0]),
    ['clinic', 'ngo', 'university'],
  )
  for (const section of sections) {
    assert.match(section, /^chain {5}reachable \((rpc|embedded)\), head block \d+/m)
    assert.match(section, /^peers {5}[12] connected/m)
    assert.match(section, /^usage {5}[1-9]\d* \/v1 request/m)
  }
  assert.match(sections[0]!, /^serving {3}commons-demo/m)
  assert.match(sections[1]!, /^serving {3}nothing/m)
  // A second `npm start` on the same data dir is refused before it starts anything.
  const second = await runCli(dir.path, ['local', '--port', String(BASE_PORT)])
  assert.notEqual(second.code, 0)
  assert.match(second.stderr, /A local commons already runs on/)
  await ctrlC(s, s.info.pids)
})

// Last, on the resumed commons: the chain host's crash. Once, the replayed chain lost the demo version's
// publication (a block of several members' votes replayed as several blocks, later seconds, past the
// deadline): the replay is block-faithful now, see test/chain/journal-replay.test.ts.
test('kill -9 of the chain host: every member registration, delegation and publication survives, and the members reconnect on their own', async () => {
  const s = await startCommons()
  const [university, , ngo] = s.info.members
  const published = (await api(ngo!, '/api/models/commons-demo/versions')).versions
  assert.ok(
    published.some((v: { status: string }) => v.status === 'published'),
    'the demo model has a published version before the crash',
  )
  const before = (
    await api(ngo!, '/api/delegations', { account: 'node', model: 'commons-demo', to: university!.address })
  ).transactionHash
  process.kill(university!.pid, 'SIGKILL')
  const universityPid = await restarted('university', university!.pid)
  const chain = createPublicClient({ transport: chainTransport(s.info.chainSocket) })
  const receipt = await chain.getTransactionReceipt({ hash: before })
  assert.equal(receipt.status, 'success', "the ngo's confirmed delegation survived")
  const { nodes } = await api(university!, '/api/nodes')
  assert.deepEqual(
    nodes.map((n: { address: string }) => n.address).sort(),
    s.info.members.map((m) => m.address).sort(),
    "every member's registration survived",
  )
  assert.deepEqual(
    (await api(university!, '/api/models/commons-demo/versions')).versions.map(
      (v: { id: string; status: string }) => `${v.id} ${v.status}`,
    ),
    published.map((v: { id: string; status: string }) => `${v.id} ${v.status}`),
    'every published version survived',
  )
  // The others reconnect on their own: the ngo confirms a new transaction through the restarted chain.
  const again = await api(ngo!, '/api/delegations', {
    account: 'node',
    model: 'commons-demo',
    to: ngo!.address,
  })
  assert.equal((await chain.getTransactionReceipt({ hash: again.transactionHash })).status, 'success')
  // ...and the model still answers through a member that does not host the chain.
  await ask(ngo!.apiUrl)
  const anvilPid = Number(
    await readFile(join(dir.path, 'members', 'university', 'chain', 'anvil.pid'), 'utf8'),
  )
  await ctrlC(s, [...s.info.pids, universityPid, anvilPid])
})
