import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SequencePool } from '../../src/inference/engine/sequence-pool.ts'

describe('SequencePool', () => {
  it('lends free items at once and queues the rest in FIFO order', async () => {
    const pool = new SequencePool(['a', 'b'])
    assert.equal(await pool.acquire(), 'a')
    assert.equal(await pool.acquire(), 'b')
    const order: string[] = []
    const third = pool.acquire().then((x) => order.push(`third:${x}`))
    const fourth = pool.acquire().then((x) => order.push(`fourth:${x}`))
    assert.equal(pool.queued, 2)
    pool.release('b')
    pool.release('a')
    await Promise.all([third, fourth])
    assert.deepEqual(order, ['third:b', 'fourth:a'])
  })

  it('drops an aborted waiter and rejects with AbortedError', async () => {
    const pool = new SequencePool([1])
    await pool.acquire()
    const controller = new AbortController()
    const waiting = pool.acquire(controller.signal)
    controller.abort()
    await assert.rejects(waiting, { name: 'AbortedError' })
    assert.equal(pool.queued, 0)
    pool.release(1)
    assert.equal(pool.available, 1)
  })

  it('rejects waiters and new requests once closed', async () => {
    const pool = new SequencePool([1])
    await pool.acquire()
    const waiting = pool.acquire()
    pool.close()
    await assert.rejects(waiting, { name: 'EngineDisposedError' })
    await assert.rejects(pool.acquire(), { name: 'EngineDisposedError' })
  })
})
