import assert from 'node:assert/strict'
import { test } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { bulkHostFor, reachableAddrs } from '../../src/net/index.ts'

const ma = (s: string) => multiaddr(s)

test('a node listening on a LAN or public interface announces no loopback address', () => {
  const all = [
    '/ip4/127.0.0.1/tcp/4001',
    '/ip4/10.0.0.7/tcp/4001',
    '/ip6/::1/tcp/4001',
    '/ip4/203.0.113.5/tcp/4001',
  ]
  assert.deepEqual(reachableAddrs(all.map(ma)).map(String), [
    '/ip4/10.0.0.7/tcp/4001',
    '/ip4/203.0.113.5/tcp/4001',
  ])
})

test('a node listening only on loopback keeps its loopback addresses (peers on the same machine)', () => {
  const local = ['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.2/tcp/4002']
  assert.deepEqual(reachableAddrs(local.map(ma)).map(String), local)
})

test('the bulk channel listens on the interface of the first listen address', () => {
  assert.equal(bulkHostFor([ma('/ip4/0.0.0.0/tcp/0')]), '0.0.0.0')
  assert.equal(bulkHostFor([ma('/ip4/10.1.2.3/tcp/0'), ma('/ip4/127.0.0.1/tcp/0')]), '10.1.2.3')
  assert.equal(bulkHostFor([]), '127.0.0.1')
})
