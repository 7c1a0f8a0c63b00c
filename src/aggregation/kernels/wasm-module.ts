/*
 * Just enough of the WebAssembly binary format (https://webassembly.github.io/spec/core/binary/) to
 * hand-assemble the small SIMD kernels of this folder without a toolchain at build time.
 */

/** Unsigned LEB128. */
export function leb128(n: number): number[] {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}

/** Opcodes used by the kernels. */
export const OP = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  v128Load: (offset: number) => [0xfd, 0x00, 0x04, ...leb128(offset)],
  v128Store: [0xfd, 0x0b, 0x04, 0x00],
  f32x4Splat: [0xfd, 0x13],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
  i32x4Add: [0xfd, 0xae, 0x01],
  i32x4Sub: [0xfd, 0xb1, 0x01],
} as const

/** Value types. */
export const TYPE = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const

/** A function to assemble: its parameter types, extra locals, and body (without the final `end`). */
export interface WasmFunction {
  readonly name: string
  readonly params: readonly number[]
  readonly locals: ReadonlyArray<readonly [count: number, type: number]>
  readonly body: readonly number[]
}

// The project's lib setting (ES2023, no DOM) has no WebAssembly typings; this is the slice used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { exports: Record<string, unknown> }
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** Compiles a module of void functions sharing one exported memory of at least `pages` x 64 KiB. */
export function compile(functions: readonly WasmFunction[], pages: number): object {
  const section = (id: number, body: number[]) => [id, ...leb128(body.length), ...body]
  const name = (s: string) => [s.length, ...Buffer.from(s, 'ascii')]
  const types = functions.flatMap((f) => [0x60, f.params.length, ...f.params, 0])
  const codes = functions.flatMap((f) => {
    const body = [f.locals.length, ...f.locals.flatMap(([n, t]) => [...leb128(n), t]), ...f.body, OP.end]
    return [...leb128(body.length), ...body]
  })
  const exports = [
    functions.length + 1,
    ...functions.flatMap((f, i) => [...name(f.name), 0, i]),
    ...name('memory'),
    2,
    0,
  ]
  const bytes = new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [functions.length, ...types]),
    ...section(3, [functions.length, ...functions.map((_, i) => i)]),
    ...section(5, [1, 0, ...leb128(pages)]),
    ...section(7, exports),
    ...section(10, [functions.length, ...codes]),
  ])
  return new wasm.Module(bytes)
}

/** A fresh instance (with its own memory) of a compiled module. */
export function instantiate(module: object): Record<string, unknown> {
  return new wasm.Instance(module).exports
}
