import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { hexToBytes } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { registerNode } from '../../src/chain/actions/nodes.ts'
import { deployContracts } from '../../src/chain/deploy-contracts.ts'
import { silentLogger } from '../../src/log.ts'
import { createCommonsHost } from '../../src/net/index.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { nodeConfigSchema } from '../../src/node/config.ts'
import {
  createInvite,
  encodeInvite,
  type InvitePayload,
  joinCommons,
  writeConfig,
} from '../../src/node/index.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { runCli } from '../helpers/cli.ts'
import { type HttpChain, startHttpChain } from '../helpers/http-anvil.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

describe('invite and join', () => {
  let net: HttpChain
  let inviterDir: Awaited<ReturnType<typeof tmpDir>>
  let inviter: PrivateKeyAccount
  let good: { invite: string; payload: InvitePayload }
  const bootstrap: string[] = []
  const dirs: Awaited<ReturnType<typeof tmpDir>>[] = []
  const fresh = async () => {
    const d = await tmpDir()
    dirs.push(d)
    return d.path
  }

  before(async () => {
    net = await startHttpChain()
    inviterDir = await tmpDir()
    // The inviting member: a node key, registered on chain, with its chain saved in its data dir.
    inviter = await new Keystore({ dir: join(inviterDir.path, 'accounts') }).create('node')
    await net.fund(inviter.address)
    await registerNode(
      createChainAccess({ rpcUrl: net.rpcUrl, deployment: net.deployment }).writer(inviter),
      {
        publicKey: hexToBytes(inviter.publicKey).slice(1),
        multiaddrs: [],
        capabilities: [],
      },
    )
    const host = createCommonsHost(
      { privateKey: randomBytes(32), isAdmitted: async () => true },
      { log: silentLogger },
    )
    bootstrap.push(`/ip4/10.1.2.3/tcp/4001/p2p/${host.peerId}`)
    const { writeDeployment } = await import('../../src/chain/deployment.ts')
    await writeDeployment(join(inviterDir.path, 'deployment.json'), net.deployment)
    await writeConfig(
      join(inviterDir.path, 'config.json'),
      nodeConfigSchema.parse({
        chain: {
          mode: 'rpc',
          rpcUrl: net.rpcUrl,
          deploymentFile: join(inviterDir.path, 'deployment.json'),
        },
      }),
    )
    good = await createInvite({ dataDir: inviterDir.path, rpcUrl: net.rpcUrl, bootstrap, ttlSeconds: 3600 })
  })
  after(async () => {
    for (const d of dirs) await d[Symbol.asyncDispose]()
    await inviterDir?.[Symbol.asyncDispose]()
    await net?.[Symbol.asyncDispose]()
  })

  it('a valid invite writes the chain, the deployment and the bootstrap peers into a fresh data dir', async () => {
    assert.match(good.invite, /^commons-invite-v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    assert.ok(good.invite.length < 3000, `an invite is compact (${good.invite.length} chars)`)
    const dir = await fresh()
    const joined = await joinCommons({ dataDir: dir, invite: good.invite })
    assert.equal(joined.inviter, inviter.address)
    assert.equal(joined.admitted, true)
    assert.equal(joined.policy, 'open')
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))
    assert.deepEqual(config.chain, { mode: 'rpc', rpcUrl: net.rpcUrl })
    assert.deepEqual(config.net.bootstrap, bootstrap)
    const deployment = JSON.parse(await readFile(join(dir, 'chain', 'deployment.json'), 'utf8'))
    assert.equal(deployment.nodeRegistry, net.deployment.nodeRegistry)
    // A later CLI command on the joined data dir uses the commons's chain.
    const members = await runCli(dir, ['--json', 'members'])
    assert.equal(members.code, 0, members.stderr)
    assert.deepEqual(members.json.members, [net.deployer.address])
  })

  const refusals: [string, () => Promise<string>, RegExp, string][] = [
    ['garbage', async () => 'hello', /not a Model Commons invite/, 'InvalidInviteError'],
    [
      'a cut-short invite',
      async () => good.invite.slice(0, -20),
      /signature|cut short/,
      'InviteSignatureError',
    ],
    [
      'an altered RPC URL under the original signature',
      async () => {
        const [, body, sig] = /^commons-invite-v1\.([^.]+)\.([^.]+)$/.exec(good.invite)!
        const payload = JSON.parse(Buffer.from(body!, 'base64url').toString())
        payload.rpcUrl = 'http://203.0.113.9:8545'
        return `commons-invite-v1.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`
      },
      /forged or altered/,
      'InviteSignatureError',
    ],
    [
      'an invite naming the member but signed by another key',
      async () => {
        const forger = privateKeyToAccount(generatePrivateKey())
        return encodeInvite(good.payload, (message) => forger.signMessage({ message }))
      },
      /forged or altered/,
      'InviteSignatureError',
    ],
    [
      'an invite signed by a key that is no node of the commons',
      async () => {
        const outsider = privateKeyToAccount(generatePrivateKey())
        return encodeInvite({ ...good.payload, inviter: outsider.address }, (message) =>
          outsider.signMessage({ message }),
        )
      },
      /not a node of this commons/,
      'InviteSignatureError',
    ],
    [
      'an expired invite',
      async () =>
        (
          await createInvite({
            dataDir: inviterDir.path,
            rpcUrl: net.rpcUrl,
            bootstrap,
            ttlSeconds: 60,
            nowSeconds: Math.floor(Date.now() / 1000) - 120,
          })
        ).invite,
      /expired/,
      'InviteExpiredError',
    ],
    [
      'contracts whose code differs (the node registry address points at another contract)',
      async () =>
        encodeInvite(
          {
            ...good.payload,
            deployment: { ...good.payload.deployment, nodeRegistry: net.deployment.modelRegistry },
          },
          (message) => inviter.signMessage({ message }),
        ),
      /NodeRegistry at 0x[0-9a-fA-F]{40} \(different code\)/,
      'ContractCodeMismatchError',
    ],
    [
      'a contract address with no code',
      async () =>
        encodeInvite(
          { ...good.payload, deployment: { ...good.payload.deployment, usageTerms: inviter.address } },
          (message) => inviter.signMessage({ message }),
        ),
      /UsageTerms at 0x[0-9a-fA-F]{40} \(no code\)/,
      'ContractCodeMismatchError',
    ],
    [
      'an invite whose bootstrap peer is not a multiaddr',
      async () =>
        encodeInvite({ ...good.payload, bootstrap: ['/ip4/10.0.0.1/tcp/1/p2p/not-a-peer'] }, (message) =>
          inviter.signMessage({ message }),
        ),
      /invalid net\.bootstrap/,
      'InvalidInviteError',
    ],
    [
      'an oversized paste',
      async () => `${good.invite}${'A'.repeat(20_000)}`,
      /not a Model Commons invite/,
      'InvalidInviteError',
    ],
    [
      'a wrong chain id',
      async () =>
        encodeInvite(
          { ...good.payload, chainId: 424242, deployment: { ...good.payload.deployment, chainId: 424242 } },
          (message) => inviter.signMessage({ message }),
        ),
      /serves chain 31337, but the invite is for chain 424242/,
      'ChainIdMismatchError',
    ],
  ]
  for (const [what, make, message, name] of refusals) {
    it(`refuses ${what}, and writes nothing`, async () => {
      const dir = await fresh()
      await assert.rejects(joinCommons({ dataDir: dir, invite: await make() }), (err: Error) => {
        assert.equal(err.name, name, err.message)
        assert.match(err.message, message)
        return true
      })
      assert.equal(await exists(join(dir, 'config.json')), false)
    })
  }

  it('a data dir already joined to a commons is not moved to another one', async () => {
    const dir = await fresh()
    await joinCommons({ dataDir: dir, invite: good.invite })
    const other = { ...good.payload.deployment, nodeRegistry: good.payload.deployment.modelRegistry }
    const invite = await encodeInvite({ ...good.payload, deployment: other }, (message) =>
      inviter.signMessage({ message }),
    )
    await assert.rejects(joinCommons({ dataDir: dir, invite }), /already belongs to another commons/)
  })

  it('the CLI refuses with the message and a non-zero exit; under `approved` it says the node must be admitted by vote', async () => {
    const refused = await runCli(await fresh(), ['join', good.invite.slice(0, -20)])
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /InviteSignatureError|no valid signature/)

    // A second commons on the same chain, admitting approved members only (the member invites).
    const approved = await deployContracts(
      createChainAccess({ rpcUrl: net.rpcUrl, deployment: net.deployment }).writer(inviter),
      { membership: { admission: 'approved' } },
    )
    const payload = { ...good.payload, deployment: approved }
    const { writeDeployment } = await import('../../src/chain/deployment.ts')
    await writeDeployment(join(inviterDir.path, 'deployment.json'), approved)
    const signed = await encodeInvite(payload, (message) => inviter.signMessage({ message }))
    // The inviter must be a registered node of that commons too.
    const access = createChainAccess({ rpcUrl: net.rpcUrl, deployment: approved })
    await registerNode(access.writer(inviter), {
      publicKey: hexToBytes(inviter.publicKey).slice(1),
      multiaddrs: [],
      capabilities: [],
    })
    const joined = await runCli(await fresh(), ['join', '--no-up', signed])
    assert.equal(joined.code, 0, joined.stderr)
    assert.match(joined.stdout, /NOT a member yet/)
    assert.match(joined.stdout, /commons propose admit-member 0x[0-9a-fA-F]{40}/)
  })
})
