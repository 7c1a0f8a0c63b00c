import { WEIGHTED_SUM_BLOCK } from '../constants.ts'
import { compile, instantiate, OP, TYPE } from './wasm-module.ts'

/*
 * out = sum_k weights[k] * inputs[k], the hot loop of FedAvg. Plain JS loops over Float32Array reach
 * ~0.1-0.18x of memcpy for 20 x 10M here; a WebAssembly SIMD kernel that adds four inputs per pass
 * roughly doubles that. Inputs live in the JS heap, so each is copied block by block into the module's
 * memory (64 KiB blocks stay in cache) and the kernel runs on the copies. Accumulation is float32, like
 * the tensors.
 *
 *   wsum4(acc: i32, x: i32, w0..w3: f32, nBytes: i32)
 *   for i in 0..nBytes step 16: acc[i] += w0*x[i] + w1*x[i+B] + w2*x[i+2B] + w3*x[i+3B]  (f32x4)
 * where B = WEIGHTED_SUM_BLOCK * 4 bytes, encoded as static load offsets.
 */

const BLOCK_BYTES = WEIGHTED_SUM_BLOCK * 4
const ACC_OFFSET = 0
const INPUT_OFFSET = BLOCK_BYTES

function wsum4Body(): number[] {
  const { localGet: get, localSet: set, localTee: tee } = OP
  const { f32x4Mul: mul, f32x4Add: add, f32x4Splat: splat } = OP
  // params: 0 acc, 1 x, 2..5 w0..w3, 6 nBytes; locals: 7 i, 8 p (i32); 9..12 splatted weights (v128)
  // biome-ignore format: one instruction per line
  return [
    get, 2, ...splat, set, 9,
    get, 3, ...splat, set, 10,
    get, 4, ...splat, set, 11,
    get, 5, ...splat, set, 12,
    ...OP.block, ...OP.loop,
    get, 7, get, 6, OP.i32GeU, OP.brIf, 1,
    get, 0, get, 7, OP.i32Add,
    get, 0, get, 7, OP.i32Add, ...OP.v128Load(0),
    get, 1, get, 7, OP.i32Add, tee, 8, ...OP.v128Load(0), get, 9, ...mul, ...add,
    get, 8, ...OP.v128Load(BLOCK_BYTES), get, 10, ...mul, ...add,
    get, 8, ...OP.v128Load(2 * BLOCK_BYTES), get, 11, ...mul, ...add,
    get, 8, ...OP.v128Load(3 * BLOCK_BYTES), get, 12, ...mul, ...add,
    ...OP.v128Store,
    get, 7, OP.i32Const, 16, OP.i32Add, set, 7,
    OP.br, 0,
    OP.end, OP.end,
  ]
}

interface Kernel {
  readonly wsum4: (
    acc: number,
    x: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    nBytes: number,
  ) => void
  readonly heap: Float32Array
}

let kernel: Kernel | undefined

function getKernel(): Kernel {
  if (kernel === undefined) {
    const { i32, f32, v128 } = TYPE
    const exports = instantiate(
      compile(
        [
          {
            name: 'wsum4',
            params: [i32, i32, f32, f32, f32, f32, i32],
            locals: [
              [2, i32],
              [4, v128],
            ],
            body: wsum4Body(),
          },
        ],
        Math.ceil((5 * BLOCK_BYTES) / 65536),
      ),
    ) as { wsum4: Kernel['wsum4']; memory: { buffer: ArrayBuffer } }
    kernel = { wsum4: exports.wsum4, heap: new Float32Array(exports.memory.buffer) }
  }
  return kernel
}

/**
 * Writes `sum_k weights[k] * inputs[k]` into `out` (all the same length); the FedAvg kernel.
 * @example
 * weightedSum([a, b], [0.25, 0.75], out)
 */
export function weightedSum(
  inputs: readonly Float32Array[],
  weights: readonly number[],
  out: Float32Array,
): void {
  const { wsum4, heap } = getKernel()
  const n = out.length
  const B = WEIGHTED_SUM_BLOCK
  const acc = heap.subarray(ACC_OFFSET >> 2, (ACC_OFFSET >> 2) + B)
  const x0 = INPUT_OFFSET >> 2
  for (let start = 0; start < n; start += B) {
    const end = Math.min(n, start + B)
    const len = end - start
    const len4 = len & ~3
    acc.fill(0)
    for (let k = 0; k < inputs.length; k += 4) {
      const group = Math.min(4, inputs.length - k)
      for (let j = 0; j < 4; j++) {
        // Unused slots are zeroed: a stale NaN times a zero weight would still be NaN.
        if (j < group) heap.set(inputs[k + j]!.subarray(start, end), x0 + j * B)
        else heap.fill(0, x0 + j * B, x0 + j * B + len)
      }
      wsum4(
        ACC_OFFSET,
        INPUT_OFFSET,
        weights[k]!,
        weights[k + 1] ?? 0,
        weights[k + 2] ?? 0,
        weights[k + 3] ?? 0,
        len4 * 4,
      )
      for (let i = len4; i < len; i++) {
        let s = acc[i]!
        for (let j = 0; j < group; j++) s += weights[k + j]! * heap[x0 + j * B + i]!
        acc[i] = s
      }
    }
    out.set(acc.subarray(0, len), start)
  }
}
