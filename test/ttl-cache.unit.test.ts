import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TtlCache } from '../src/ttl-cache.ts'

class Down extends Error {}

test('a TtlCache reloads after its ttl, forgets failed loads, and with staleIf answers the last value while its source is down', async () => {
  let now = 0
  const cache = new TtlCache<number>(
    100,
    10,
    () => now,
    (err) => err instanceof Down,
  )
  let source: () => Promise<number> = async () => 1
  const get = () => cache.get('k', () => source())
  assert.equal(await get(), 1)
  source = async () => 2
  assert.equal(await get(), 1, 'within the ttl: cached')
  now = 150
  assert.equal(await get(), 2, 'past the ttl: reloaded')
  // The source is down: the last value stands (and is retried after another ttl), other errors pass.
  now = 300
  source = async () => {
    throw new Down('unreachable')
  }
  assert.equal(await get(), 2)
  now = 450
  source = async () => {
    throw new Error('reverted')
  }
  await assert.rejects(get(), /reverted/)
  now = 600
  source = async () => 3
  assert.equal(await get(), 3)
  // Without a value ever read, a down source is an error, and a failed load is not cached.
  const fresh = new TtlCache<number>(
    100,
    10,
    () => now,
    (err) => err instanceof Down,
  )
  await assert.rejects(
    fresh.get('x', async () => {
      throw new Down('unreachable')
    }),
    Down,
  )
  assert.equal(await fresh.get('x', async () => 4), 4)
})
