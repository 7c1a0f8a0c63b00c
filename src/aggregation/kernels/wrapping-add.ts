import { compile, instantiate, OP, TYPE } from './wasm-module.ts'

/*
 * A uint32 vector that sums mod 2^32 inside WebAssembly memory: the hot loop of secure-aggregation
 * masking and unmasking. A JS loop over Uint32Array runs at 2-4 ns per word here. The accumulator lives
 * in the instance's memory for its whole life, so each added block costs one copy into a scratch block
 * plus an i32x4 pass, and the result is copied out once.
 */

const BLOCK_WORDS = 1 << 16
const BLOCK_BYTES = BLOCK_WORDS * 4
const PAGE_BYTES = 65536
const SCRATCH = 0
const ACC = BLOCK_BYTES

type Op = (dst: number, src: number, nBytes: number) => void

function wrappingLoop(op: readonly number[]): number[] {
  const { localGet: get, localSet: set } = OP
  // params: 0 dst, 1 src, 2 nBytes; local 3 i. for (i = 0; i < nBytes; i += 16) dst[i] = dst[i] op src[i]
  // biome-ignore format: one instruction per line
  return [
    ...OP.block, ...OP.loop,
    get, 3, get, 2, OP.i32GeU, OP.brIf, 1,
    get, 0, get, 3, OP.i32Add,
    get, 0, get, 3, OP.i32Add, ...OP.v128Load(0),
    get, 1, get, 3, OP.i32Add, ...OP.v128Load(0),
    ...op,
    ...OP.v128Store,
    get, 3, OP.i32Const, 16, OP.i32Add, set, 3,
    OP.br, 0,
    OP.end, OP.end,
  ]
}

let module: object | undefined

function getModule(): object {
  if (module === undefined) {
    const params = [TYPE.i32, TYPE.i32, TYPE.i32]
    const locals = [[1, TYPE.i32]] as const
    module = compile(
      [
        { name: 'add', params, locals, body: wrappingLoop(OP.i32x4Add) },
        { name: 'sub', params, locals, body: wrappingLoop(OP.i32x4Sub) },
      ],
      BLOCK_BYTES / PAGE_BYTES,
    )
  }
  return module
}

/** The compiled add/sub module and its layout (scratch block at 0, free memory after it): for a worker. */
export function wrappingAddModule(): { module: object; blockBytes: number } {
  return { module: getModule(), blockBytes: BLOCK_BYTES }
}

interface Instance {
  readonly add: Op
  readonly sub: Op
  readonly memory: { buffer: ArrayBuffer; grow: (pages: number) => number }
}

// Released instances keep their (already page-faulted) memory for the next accumulator: on a VM, first
// touches of fresh pages cost more than the SIMD work itself.
const POOL_MAX = 4
const pool: Instance[] = []

function acquire(length: number): { instance: Instance; heap: Uint32Array } {
  const instance = pool.pop() ?? (instantiate(getModule()) as unknown as Instance)
  const needed = Math.ceil((ACC + length * 4 + 16) / PAGE_BYTES)
  const have = instance.memory.buffer.byteLength / PAGE_BYTES
  if (needed > have) instance.memory.grow(needed - have)
  const heap = new Uint32Array(instance.memory.buffer)
  heap.fill(0, ACC >> 2, (ACC >> 2) + length)
  return { instance, heap }
}

/**
 * A length-n vector of uint32 words that other vectors are added to or subtracted from, mod 2^32.
 * `take()` returns the result and recycles the memory; the accumulator is unusable afterwards.
 * @example
 * const acc = new WrappingAccumulator(input.length)
 * acc.add(input, 1)
 * const masked = acc.take()
 */
export class WrappingAccumulator {
  readonly length: number
  #instance: Instance | undefined
  readonly #heap: Uint32Array

  constructor(length: number) {
    this.length = length
    const { instance, heap } = acquire(length)
    this.#instance = instance
    this.#heap = heap
  }

  /** Adds (sign 1) or subtracts (sign -1) `source` at word `offset`. */
  add(source: Uint32Array, sign: 1 | -1, offset = 0): void {
    const instance = this.#instance
    if (instance === undefined) throw new RangeError('This accumulator was already taken.')
    if (offset + source.length > this.length) {
      throw new RangeError(`Adding ${source.length} words at ${offset} overruns ${this.length}.`)
    }
    const heap = this.#heap
    const op = sign === 1 ? instance.add : instance.sub
    for (let start = 0; start < source.length; start += BLOCK_WORDS) {
      const len = Math.min(BLOCK_WORDS, source.length - start)
      const len4 = len & ~3
      const at = (ACC >> 2) + offset + start
      heap.set(source.subarray(start, start + len), SCRATCH >> 2)
      op(at * 4, SCRATCH, len4 * 4)
      for (let i = len4; i < len; i++) {
        heap[at + i] = sign === 1 ? heap[at + i]! + heap[i]! : heap[at + i]! - heap[i]!
      }
    }
  }

  /** The words, copied out; releases the accumulator's memory for reuse. */
  take(): Uint32Array {
    const instance = this.#instance
    if (instance === undefined) throw new RangeError('This accumulator was already taken.')
    const out = this.#heap.slice(ACC >> 2, (ACC >> 2) + this.length)
    this.#instance = undefined
    if (pool.length < POOL_MAX) pool.push(instance)
    return out
  }
}
