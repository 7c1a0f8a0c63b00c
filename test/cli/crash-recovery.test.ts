import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli, startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { writeTinyModel } from '../inference/fixtures.ts'

test('kill -9 of node and chain mid-sequence: every transaction the CLI reported confirmed survives, and the CLI continues', async () => {
  await using dir = await tmpDir()
  let node = await startNodeProcess(dir.path)
  const confirmed: string[] = []
  const cli = async (label: string, args: string[]) => {
    const r = await runCli(dir.path, ['--json', ...args])
    if (r.code === 0) confirmed.push(label)
    return r
  }
  try {
    // The node proposes only content it holds and llama.cpp loads: a tiny model, added first.
    const model = await writeTinyModel(dir.path, { seed: 11 })
    const added = await runCli(dir.path, ['--json', 'store', 'add', model.path])
    assert.equal(added.code, 0, added.stderr)
    const ROOT: string = added.json.root
    const p = await cli('propose', [
      '--account',
      'alice',
      'propose',
      'publish-version',
      '--model',
      'commons-demo',
      '--root',
      ROOT,
      '--size',
      String(added.json.size),
    ])
    assert.equal(p.code, 0, p.stderr)
    const ref: string = p.json.ref
    assert.equal((await cli('warp', ['chain', 'warp', '301s'])).code, 0)
    assert.equal((await cli('vote:alice', ['--account', 'alice', 'vote', ref, 'for'])).code, 0)

    // Kill node and anvil with SIGKILL while bob's vote is in flight.
    const anvilPid = Number(await readFile(join(dir.path, 'chain', 'anvil.pid'), 'utf8'))
    const inflight = cli('vote:bob', ['--account', 'bob', 'vote', ref, 'for'])
    await new Promise((r) => setTimeout(r, 1_200 + Math.random() * 1_000))
    node.child.kill('SIGKILL')
    process.kill(anvilPid, 'SIGKILL')
    const bobResult = await inflight
    if (node.child.exitCode === null && node.child.signalCode === null)
      await new Promise((r) => node.child.once('exit', r))

    node = await startNodeProcess(dir.path)
    const votes = await runCli(dir.path, ['--json', 'proposals', '--model', 'commons-demo'])
    assert.equal(votes.code, 0, votes.stderr)
    const prop = votes.json.find((x: { ref: string }) => x.ref === ref)
    assert.ok(prop, 'the confirmed proposal is present after the crash')
    const cast = (await fetch(`${node.apiUrl}/api/proposals/${ref}/votes`).then((r) => r.json())) as {
      votes: { weight: string }[]
    }
    const voters = new Set(cast.votes.map((v) => v.weight))
    assert.ok(voters.has('40'), "alice's confirmed vote is present")
    if (bobResult.code === 0)
      assert.ok(voters.has('35'), "bob's vote was reported confirmed, so it must be present")

    // Continue the sequence: bob votes again if his vote was lost, then carol, queue, execute.
    if (!voters.has('35'))
      assert.equal((await cli('vote:bob:retry', ['--account', 'bob', 'vote', ref, 'for'])).code, 0)
    assert.equal((await cli('vote:carol', ['--account', 'carol', 'vote', ref, 'against'])).code, 0)
    assert.equal((await cli('warp', ['chain', 'warp', '1h'])).code, 0)
    const q = await cli('queue', ['queue', ref])
    assert.equal(q.code, 0, q.stderr)
    assert.equal((await cli('warp', ['chain', 'warp', '11m'])).code, 0)
    const e = await cli('execute', ['execute', ref])
    assert.equal(e.code, 0, e.stderr)
    assert.equal(e.json.state, 'executed')
    const show = await runCli(dir.path, ['--json', 'model', 'show', 'commons-demo'])
    assert.equal(
      show.json.versions.find((v: { contentRoot: string }) => v.contentRoot === `0x${ROOT}`).status,
      'published',
    )
  } finally {
    await node.stop()
  }
})
