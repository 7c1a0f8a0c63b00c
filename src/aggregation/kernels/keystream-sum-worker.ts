import { Worker } from 'node:worker_threads'
import { KEYSTREAM_CHUNK_BYTES, UNMASK_BLOCK_WORDS } from '../constants.ts'
import { wrappingAddModule } from './wrapping-add.ts'

/*
 * Unmasking is ChaCha20 keystream generation plus SIMD adds, one keystream per mask: on a machine with a
 * second core, half of the masks are summed in a worker thread while the caller sums the rest. The worker
 * gets only 32-byte keys and signs (never an input), sums their keystreams in its own WebAssembly memory
 * with the same add/sub kernel, and hands back one vector. Its source is plain JavaScript evaluated in the
 * worker, so it runs whatever loader the process uses for TypeScript. It is started on first use, kept for
 * later rounds and unref'd, so it never keeps a process alive.
 */

const WORKER_SOURCE = `
const { parentPort, workerData, MessageChannel } = require('node:worker_threads')
const { createCipheriv } = require('node:crypto')
const { module, blockBytes, chunkBytes, stepWords } = workerData
const ZERO_IV = Buffer.alloc(16)
const ZEROS = Buffer.alloc(chunkBytes)
// As in keystream.ts: a used chunk is detached through a closed port so its memory is freed at once and
// the next chunk reuses the same cached pages (fresh pages cost more than the cipher on a VM).
const SINK = new MessageChannel().port1
SINK.close()
function release(chunk) {
  const b = chunk.buffer
  if (b instanceof ArrayBuffer && chunk.byteOffset === 0 && b.byteLength === chunk.byteLength) SINK.postMessage(null, [b])
}
const PAGE = 65536
const instance = new WebAssembly.Instance(module).exports
parentPort.on('message', ({ id, keys, signs, words, out }) => {
  try {
    const need = Math.ceil((blockBytes + words * 4 + 16) / PAGE)
    const have = instance.memory.buffer.byteLength / PAGE
    if (need > have) instance.memory.grow(need - have)
    const heap = new Uint32Array(instance.memory.buffer)
    const acc = blockBytes >> 2
    heap.fill(0, acc, acc + words)
    const ciphers = keys.map((k) => createCipheriv('chacha20', k, ZERO_IV))
    const step = Math.min(chunkBytes >> 2, blockBytes >> 2, stepWords)
    for (let off = 0; off < words; off += step) {
      const len = Math.min(step, words - off)
      const len4 = len & ~3
      for (let m = 0; m < ciphers.length; m++) {
        const chunk = ciphers[m].update(ZEROS.subarray(0, len * 4))
        heap.set(new Uint32Array(chunk.buffer, chunk.byteOffset, len), 0)
        const at = acc + off
        if (signs[m] === 1) instance.add(at * 4, 0, len4 * 4)
        else instance.sub(at * 4, 0, len4 * 4)
        for (let i = len4; i < len; i++) heap[at + i] = signs[m] === 1 ? heap[at + i] + heap[i] : heap[at + i] - heap[i]
        release(chunk)
      }
    }
    new Uint32Array(out, 0, words).set(heap.subarray(acc, acc + words))
    parentPort.postMessage({ id })
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) })
  }
})
`

interface Pending {
  resolve(): void
  reject(err: Error): void
}

let worker: Worker | undefined
let nextId = 0
const pending = new Map<number, Pending>()
// Result buffers are reused: fresh pages cost more to touch on a VM than the copy into them (keystream.ts).
const freeBuffers: SharedArrayBuffer[] = []

function getWorker(): Worker {
  if (worker !== undefined) return worker
  const { module, blockBytes } = wrappingAddModule()
  const w = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module, blockBytes, chunkBytes: KEYSTREAM_CHUNK_BYTES, stepWords: UNMASK_BLOCK_WORDS },
  })
  w.unref()
  w.on('message', (msg: { id: number; error?: string }) => {
    const p = pending.get(msg.id)
    pending.delete(msg.id)
    if (pending.size === 0) w.unref()
    if (msg.error === undefined) p?.resolve()
    else p?.reject(new Error(`The keystream worker failed: ${msg.error}`))
  })
  const fail = (err: Error): void => {
    if (worker === w) worker = undefined
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  }
  w.on('error', fail)
  w.on('exit', (code) => fail(new Error(`The keystream worker exited with code ${code}.`)))
  worker = w
  return w
}

/**
 * Computes, in a worker thread, the sum mod 2^32 of `sign` x the first `words` words of each key's ChaCha20
 * keystream (zero IV) and hands it to `use` (the view is valid only during the call). Rejects if the worker
 * fails; the caller then does the work itself.
 * @example
 * await sumKeystreamsInWorker([{ key, sign: -1 }], 1_000_000, (sum) => acc.add(sum, 1))
 */
export async function sumKeystreamsInWorker(
  masks: ReadonlyArray<{ readonly key: Uint8Array; readonly sign: 1 | -1 }>,
  words: number,
  use: (sum: Uint32Array) => void,
): Promise<void> {
  const index = freeBuffers.findIndex((b) => b.byteLength >= words * 4)
  const out = index >= 0 ? freeBuffers.splice(index, 1)[0]! : new SharedArrayBuffer(words * 4)
  try {
    await run(masks, words, out)
    use(new Uint32Array(out, 0, words))
  } finally {
    if (freeBuffers.length < 4) freeBuffers.push(out)
  }
}

function run(
  masks: ReadonlyArray<{ readonly key: Uint8Array; readonly sign: 1 | -1 }>,
  words: number,
  out: SharedArrayBuffer,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let w: Worker
    try {
      w = getWorker()
    } catch (err) {
      reject(err as Error)
      return
    }
    const id = nextId++
    pending.set(id, { resolve, reject })
    w.ref()
    w.postMessage({ id, keys: masks.map((m) => m.key), signs: masks.map((m) => m.sign), words, out })
  })
}
