import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import { Allowlist, eventually, startHost } from './fixtures.ts'

describe('peer admission (connection gater)', () => {
  const hosts: CommonsHost[] = []
  after(async () => {
    await Promise.all(hosts.map((h) => h.stop()))
  })

  it('admits registered peers, refuses unregistered ones, and drops de-registered ones', async () => {
    const allow = new Allowlist()
    const a = await startHost(allow)
    const b = await startHost(allow)
    const stranger = await startHost(allow)
    hosts.push(a, b, stranger)
    allow.add(a, b)

    // registered: b can connect to a
    const id = await b.connect(a.multiaddrs()[0]!)
    assert.equal(id, a.peerId)
    await eventually(() => a.connectedPeers().includes(b.peerId), 5000, 'a sees b')

    // unregistered: the stranger's dial fails and nothing stays open on either side
    await assert.rejects(stranger.connect(a.multiaddrs()[0]!), { name: 'PeerNotAdmittedError' })
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(a.connectedPeers().includes(stranger.peerId), false)
    assert.equal(stranger.connectedPeers().includes(a.peerId), false)

    // a also refuses to dial out to the stranger
    await assert.rejects(a.connect(stranger.multiaddrs()[0]!))
    assert.equal(a.connectedPeers().includes(stranger.peerId), false)

    // de-registering b closes its connection after a recheck
    allow.remove(b)
    const dropped = await a.recheckAdmission()
    assert.deepEqual(dropped, [b.peerId])
    await eventually(() => !a.connectedPeers().includes(b.peerId), 5000, 'a drops b')
    await assert.rejects(b.connect(a.multiaddrs()[0]!), { name: 'PeerNotAdmittedError' })
  })

  it('open mode admits everyone', async () => {
    const a = await startHost('open')
    const b = await startHost('open')
    hosts.push(a, b)
    assert.equal(await b.connect(a.multiaddrs()[0]!), a.peerId)
  })
})
