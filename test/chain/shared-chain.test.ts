import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { join } from 'node:path'
import { test } from 'node:test'
import { createPublicClient, createWalletClient, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { chainTransport } from '../../src/chain/chain-transport.ts'
import { EmbeddedChain } from '../../src/chain/embedded-chain.ts'
import { silentLogger } from '../../src/log.ts'
import { chainFor } from '../../src/node/chain-clients.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

/** Sends raw lines on the shared socket and collects the answer lines until `count` arrived or it closed. */
function exchange(
  path: string,
  lines: string[],
  count: number,
): Promise<{ answers: any[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(path)
    let text = ''
    const answers: any[] = []
    const done = (closed: boolean) => {
      socket.destroy()
      resolve({ answers, closed })
    }
    socket.on('data', (d) => {
      text += d
      const parts = text.split('\n')
      text = parts.pop()!
      for (const p of parts) answers.push(JSON.parse(p))
      if (answers.length >= count) done(false)
    })
    socket.on('close', () => done(true))
    socket.on('error', () => done(true))
    for (const l of lines) socket.write(`${l}\n`)
  })
}

test('the shared chain journals what another member confirmed (kill -9 of the host loses none of it) and refuses what could undo it', async () => {
  await using dir = await tmpDir()
  const socket = join(dir.path, 'chain.sock')
  let chain = await EmbeddedChain.start({ dir: join(dir.path, 'chain'), log: silentLogger })
  await chain.share(socket)
  const member = privateKeyToAccount(generatePrivateKey())
  const bob = privateKeyToAccount(generatePrivateKey()).address
  const viemChain = chainFor(socket, chain.chainId)
  const pub = createPublicClient({ chain: viemChain, transport: chainTransport(socket), pollingInterval: 50 })
  const wallet = createWalletClient({ chain: viemChain, transport: chainTransport(socket), account: member })
  // Gas through the socket (as the launcher gives it), then a payment the member sees confirmed.
  await pub.request({
    method: 'anvil_setBalance',
    params: [member.address, `0x${parseEther('5').toString(16)}`],
  } as never)
  const hash = await wallet.sendTransaction({ to: bob, value: parseEther('1') })
  assert.equal((await pub.waitForTransactionReceipt({ hash })).status, 'success')

  // The worst member: methods that would undo others' transactions, garbage, batches, a huge line.
  const { answers } = await exchange(
    socket,
    [
      '{"jsonrpc":"2.0","id":1,"method":"evm_snapshot","params":[]}',
      '{"jsonrpc":"2.0","id":2,"method":"anvil_reset","params":[]}',
      '{"jsonrpc":"2.0","id":3,"method":"anvil_loadState","params":["0x00"]}',
      'not json',
      '[{"jsonrpc":"2.0","id":4,"method":"eth_chainId"}]',
      '{"jsonrpc":"2.0","id":5,"method":"eth_chainId","params":[]}',
    ],
    6,
  )
  assert.deepEqual(
    answers.map((a) => a.error?.code ?? a.result),
    [-32601, -32601, -32601, -32700, -32600, '0x7a69'],
    'each refused with a JSON-RPC error, and the connection still serves',
  )
  const huge = await exchange(
    socket,
    [`{"jsonrpc":"2.0","id":6,"method":"eth_chainId","x":"${'a'.repeat(2 ** 21)}"}`],
    1,
  )
  assert.equal(huge.closed, true, 'a line over the bound ends that connection')
  assert.equal(await pub.getBalance({ address: bob }), parseEther('1'), 'and the chain goes on for others')

  // kill -9 of the host right after: no snapshot since, only the journal.
  await chain.kill()
  chain = await EmbeddedChain.start({ dir: join(dir.path, 'chain'), log: silentLogger })
  try {
    await chain.share(socket)
    // The same socket path: the member's clients reconnect without help.
    assert.equal(await pub.getBalance({ address: bob }), parseEther('1'), "the member's payment survived")
    assert.equal((await pub.getTransactionReceipt({ hash })).status, 'success')
    assert.ok((await pub.getBalance({ address: member.address })) > parseEther('3'), 'its gas too')
  } finally {
    await chain.stop()
  }
})
