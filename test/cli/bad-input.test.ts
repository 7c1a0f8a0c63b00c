import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runCli, startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('bad input gets a clear message and a non-zero exit code, and nothing on chain changes', async () => {
  await using dir = await tmpDir()
  const node = await startNodeProcess(dir.path)
  const blockNumber = async () => {
    const info = (await fetch(`${node.apiUrl}/api/chain`).then((r) => r.json())) as { block: string }
    return info.block as string
  }
  const expectRefused = async (args: string[], exit: number, message: RegExp) => {
    const before = await blockNumber()
    const r = await runCli(dir.path, args)
    assert.equal(r.code, exit, `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`)
    assert.match(r.stderr, message, args.join(' '))
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace is shown')
    assert.equal(await blockNumber(), before, `${args.join(' ')} changed the chain`)
  }
  try {
    await expectRefused(
      ['model', 'create', '--name', 'm1', '--owners', '0x1234=10'],
      2,
      /not a valid address/,
    )
    await expectRefused(
      ['model', 'create', '--name', 'm1', '--owners', 'alice=0'],
      2,
      /greater than zero[\s\S]*hint: set it with --owners/,
    )
    await expectRefused(['model', 'create', '--name', 'm1', '--owners', 'alice=-5'], 2, /positive number/)
    await expectRefused(
      ['model', 'create', '--name', 'm1', '--owners', 'alice'],
      2,
      /<address\|account>=<shares>/,
    )
    await expectRefused(['model', 'show', 'no-such-model'], 3, /No model "no-such-model"/)
    await expectRefused(['vote', '1.99', 'for'], 3, /No proposal 1\.99/)
    await expectRefused(['vote', '1.1', 'maybe'], 2, /"for", "against" or "abstain"/)

    const p = await runCli(dir.path, [
      '--json',
      '--account',
      'alice',
      'propose',
      'mint-shares',
      '--model',
      'commons-demo',
      '--to',
      'bob',
      '--shares',
      '1',
    ])
    assert.equal(p.code, 0, p.stderr)
    // Voting has not opened yet (300 s voting delay).
    await expectRefused(['--account', 'alice', 'vote', p.json.ref, 'for'], 4, /is pending: voting opens in/)
    assert.equal((await runCli(dir.path, ['chain', 'warp', '301s'])).code, 0)
    assert.equal((await runCli(dir.path, ['--account', 'alice', 'vote', p.json.ref, 'for'])).code, 0)
    await expectRefused(['--account', 'alice', 'vote', p.json.ref, 'against'], 4, /already voted/)
    await expectRefused(['execute', p.json.ref], 4, /is active: voting is open until/)
    assert.equal((await runCli(dir.path, ['chain', 'warp', '2h'])).code, 0)
    await expectRefused(['--account', 'bob', 'vote', p.json.ref, 'for'], 4, /voting closed/)
    // The deployer (node account) calling a timelock-only action directly is refused by the contract itself.
    await expectRefused(
      ['--account', 'carol', 'propose', 'publish-version', '--model', 'commons-demo', '--version', '7'],
      2,
      /has no version 7/,
    )
  } finally {
    await node.stop()
  }
})
