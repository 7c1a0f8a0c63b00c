import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { parseEther } from 'viem'
import type { ProposeInput } from '../../src/governance/index.ts'
import { silentLogger } from '../../src/log.ts'
import { type CommonsNode, createNode } from '../../src/node/index.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { runCli } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { until } from '../helpers/until.ts'

const peersOf = async (node: CommonsNode) =>
  (await fetch(`${node.apiUrl}/api/peers`).then((r) => r.json())) as any
const connected = async (from: CommonsNode, to: CommonsNode) => {
  const peerId = (await peersOf(to)).self.peerId
  assert.match(peerId, /^16U/)
  return (await peersOf(from)).peers.some((p: any) => p.peerId === peerId && p.connected)
}

/** Proposes to the commons as A's node key (the founder), votes For as `voters`, and runs it through the timelock. */
async function decide(
  a: CommonsNode,
  request:
    | { kind: 'set-admission'; policy: 'open' | 'approved' }
    | { kind: 'admit-member' | 'revoke-member'; member: string },
  voters = ['node'],
): Promise<void> {
  // Votes count from the second after a member was admitted (the governor reads the past second).
  await a.devnet!.warp(1)
  const p = await a.governance.propose({ account: 'node', model: 'commons', ...request } as ProposeInput)
  assert.match(p.ref, /^0\.\d+$/)
  await a.devnet!.warp(301)
  for (const account of voters) await a.governance.vote({ account, proposal: p.ref, support: 'for' })
  await a.devnet!.warp(3601)
  await a.governance.queue({ account: 'node', proposal: p.ref })
  await a.devnet!.warp(601)
  const done = await a.governance.execute({ account: 'node', proposal: p.ref })
  assert.equal(done.state, 'executed')
}

test('approved admission: a node that is not a member cannot connect; a vote admits it; a revocation vote cuts it off within seconds', async () => {
  await using dirA = await tmpDir()
  await using dirB = await tmpDir()
  const fast = { announceIntervalMs: 300 }
  // A second member on A's machine (a local account), so that no single member decides alone.
  const carol = await new Keystore({ dir: join(dirA.path, 'accounts') }).create('carol')
  await using a = await createNode(
    { dataDir: dirA.path, config: { api: { port: 0 }, demo: false, net: fast } },
    { log: process.env.DEBUG_A ? (await import('../../src/log.ts')).createLogger('debug') : silentLogger },
  )
  // The policy itself changes only by a vote of the members (A's node is the founding member).
  await decide(a, { kind: 'set-admission', policy: 'approved' })
  await decide(a, { kind: 'admit-member', member: carol.address })

  // Content only A holds: a non-member must not be served it.
  const file = join(dirA.path, 'weights.bin')
  await writeFile(file, randomBytes(256 * 1024))
  const added = await runCli(dirA.path, ['--json', 'store', 'add', file])
  assert.equal(added.code, 0, added.stderr)
  const root: string = added.json.root

  const bKey = await new Keystore({ dir: join(dirB.path, 'accounts') }).create('node')
  await a.devnet!.fund(bKey.address, parseEther('100'))
  const selfA = (await peersOf(a)).self
  await using b = await createNode(
    {
      dataDir: dirB.path,
      config: {
        api: { port: 0 },
        demo: false,
        chain: { mode: 'rpc', rpcUrl: a.rpcUrl, deploymentFile: join(dirA.path, 'chain', 'deployment.json') },
        net: { ...fast, bootstrap: selfA.multiaddrs },
      },
    },
    { log: process.env.DEBUG_B ? (await import('../../src/log.ts')).createLogger('debug') : silentLogger },
  )

  // B registered itself (registration is open) but is no member: A's gater refuses it.
  await new Promise((r) => setTimeout(r, 1500))
  assert.equal(await connected(a, b), false, 'A must not hold a connection to a non-member')
  assert.equal(await connected(b, a), false, 'B must not hold a connection to A')
  // Its own CLI shows the policy and that it is not a member; it cannot propose to the commons.
  const members = await runCli(dirB.path, ['--json', 'members'])
  assert.equal(members.code, 0, members.stderr)
  assert.equal(members.json.policy, 'approved')
  assert.equal(members.json.admitted, false)
  const refused = await runCli(dirB.path, ['store', 'fetch', root])
  assert.notEqual(refused.code, 0, 'a non-member is not served')
  const selfAdmit = await runCli(dirB.path, ['propose', 'admit-member', b.address])
  assert.notEqual(selfAdmit.code, 0)
  assert.match(selfAdmit.stderr, /GovernorInsufficientProposerVotes|voting power/)

  // A membership vote lets it in (B redials its bootstrap peers).
  await decide(a, { kind: 'admit-member', member: b.address }, ['node', 'carol'])
  await until('B connected to A after admission', async () => ((await connected(a, b)) ? true : undefined))
  await until('A announces its content to B', async () =>
    (await peersOf(b)).peers.some((p: any) => p.connected && p.roots > 0) ? true : undefined,
  )
  const served = await runCli(dirB.path, ['--json', 'store', 'fetch', root])
  assert.equal(served.code, 0, served.stderr)

  // A revocation vote cuts it off within seconds, and it stays out.
  // For must exceed half of all members (3 now): A's node key alone cannot revoke anyone.
  await decide(a, { kind: 'revoke-member', member: b.address }, ['node', 'carol'])
  const revokedAt = Date.now()
  await until('A dropped B', async () => ((await connected(a, b)) ? undefined : true), 5_000)
  const cutOffMs = Date.now() - revokedAt
  process.stderr.write(`# revoked member cut off in ${cutOffMs} ms\n`)
  await new Promise((r) => setTimeout(r, 1500))
  assert.equal(await connected(a, b), false, 'a revoked member must not come back')
  // The commons's proposals are listed with the models' (refs 0.N), executed.
  const listed = (await a.governance.listProposals()).filter((p) => p.ref.startsWith('0.'))
  assert.deepEqual(
    listed.map((p) => p.state),
    ['executed', 'executed', 'executed', 'executed'],
  )
})
