import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import { SignInSessions } from '../../src/api/sign-in/sign-in-sessions.ts'

const alice = privateKeyToAccount(generatePrivateKey())
const mallory = privateKeyToAccount(generatePrivateKey())
const DOMAIN = '127.0.0.1:8480'

function clock(start = Date.parse('2026-11-28T12:00:00Z')) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

function message(
  nonce: string,
  over: Partial<Parameters<typeof createSiweMessage>[0]> = {},
  at = new Date(),
) {
  return createSiweMessage({
    address: alice.address,
    chainId: 31337,
    domain: DOMAIN,
    nonce,
    uri: `http://${DOMAIN}`,
    version: '1',
    issuedAt: at,
    ...over,
  })
}

describe('Sign-In with Ethereum sessions', () => {
  test('a signed message for this domain, chain and nonce opens a session for the signer; the token is verified', async () => {
    const t = clock()
    const sessions = new SignInSessions({ chainId: 31337 }, { now: t.now })
    const text = message(sessions.nonce(), {}, new Date(t.now()))
    const { token, address } = await sessions.signIn({
      message: text,
      signature: await alice.signMessage({ message: text }),
      domain: DOMAIN,
    })
    assert.equal(address, alice.address)
    assert.equal(sessions.verify(token)?.address, alice.address)
    const lookAlike = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`
    assert.equal(sessions.verify(lookAlike), undefined, 'a look-alike token is refused')
    t.advance(60 * 60_000)
    assert.equal(sessions.verify(token), undefined, 'a session ends after its lifetime')
  })

  test('attacks: replayed nonce, foreign domain or chain, an unknown nonce, another signer, expired or future messages', async () => {
    const t = clock()
    const sessions = new SignInSessions({ chainId: 31337 }, { now: t.now })
    const at = new Date(t.now())
    const refused = async (text: string, pattern: RegExp, signer = alice, domain = DOMAIN) => {
      await assert.rejects(
        sessions.signIn({ message: text, signature: await signer.signMessage({ message: text }), domain }),
        (e: Error) => e.name === 'SignInRefusedError' && pattern.test(e.message),
      )
    }
    const nonce = sessions.nonce()
    const good = message(nonce, {}, at)
    await sessions.signIn({
      message: good,
      signature: await alice.signMessage({ message: good }),
      domain: DOMAIN,
    })
    await refused(good, /nonce/, alice) // replay of a used message
    await refused(message(sessions.nonce(), { domain: 'evil.example' }, at), /domain evil\.example/)
    await refused(message(sessions.nonce(), {}, at), /domain/, alice, 'other.host:1') // sent to another host
    await refused(message(sessions.nonce(), { chainId: 1 }, at), /chain 1/)
    await refused(message('abcdefgh12345678', {}, at), /nonce/)
    // mallory signs a message that claims to be alice: refused, and the nonce is spent
    const claimed = message(sessions.nonce(), {}, at)
    await refused(claimed, /not 0x/, mallory)
    await refused(claimed, /nonce/, alice)
    await refused(message(sessions.nonce(), { expirationTime: new Date(t.now() - 1) }, at), /expired/)
    await refused(message(sessions.nonce(), {}, new Date(t.now() + 10 * 60_000)), /future/)
    const late = sessions.nonce()
    t.advance(6 * 60_000)
    await refused(message(late, {}, new Date(t.now())), /nonce/) // the nonce expired unused
  })

  test('a message that expires sooner than the session lifetime bounds the session', async () => {
    const t = clock()
    const sessions = new SignInSessions({ chainId: 31337 }, { now: t.now })
    const text = message(sessions.nonce(), { expirationTime: new Date(t.now() + 60_000) }, new Date(t.now()))
    const { token, expiresAt } = await sessions.signIn({
      message: text,
      signature: await alice.signMessage({ message: text }),
      domain: DOMAIN,
    })
    assert.equal(expiresAt.getTime(), t.now() + 60_000)
    t.advance(60_000)
    assert.equal(sessions.verify(token), undefined)
  })

  test('a flood of nonce requests and sign-ins stays bounded, and costs constant time per request', async () => {
    const t = clock()
    const sessions = new SignInSessions(
      { chainId: 31337, limits: { maxNonces: 1_000, maxSessions: 2 } },
      { now: t.now },
    )
    const started = performance.now()
    for (let i = 0; i < 200_000; i++) sessions.nonce()
    const ms = performance.now() - started
    const inner = sessions as unknown as { nonces: Map<string, number> }
    assert.equal(inner.nonces.size, 1_000, 'outstanding nonces are capped')
    assert.ok(ms < 20_000, `200k nonces in ${ms.toFixed(0)} ms`)
    for (let i = 0; i < 2; i++) {
      const text = message(sessions.nonce(), {}, new Date(t.now()))
      await sessions.signIn({
        message: text,
        signature: await alice.signMessage({ message: text }),
        domain: DOMAIN,
      })
    }
    const third = message(sessions.nonce(), {}, new Date(t.now()))
    await assert.rejects(
      sessions.signIn({
        message: third,
        signature: await alice.signMessage({ message: third }),
        domain: DOMAIN,
      }),
      { name: 'SignInBusyError' },
    )
  })
})
