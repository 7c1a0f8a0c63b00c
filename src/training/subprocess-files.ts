import { writeFile } from 'node:fs/promises'
import type { TensorMap } from '../aggregation/index.ts'
import type { TokenDataset } from './data/index.ts'
import { ModelParamsMismatchError } from './errors.ts'

// The files an external trainer reads (docs/trainer.md): GGUF tensors and raw token ids.

/** Weights as the F32 GGUF tensors the external trainer declared, in its order; throws on any mismatch. */
export function declaredTensors(
  declared: readonly { name: string; shape: number[] }[],
  params: TensorMap,
): Array<{ name: string; shape: number[]; type: 'F32'; data: Float32Array }> {
  for (const name of params.keys()) {
    if (!declared.some((t) => t.name === name))
      throw new ModelParamsMismatchError(`Tensor ${name} is not one the external trainer declared.`)
  }
  return declared.map(({ name, shape }) => {
    const data = params.get(name)?.data
    const size = shape.reduce((a, b) => a * b, 1)
    if (data === undefined)
      throw new ModelParamsMismatchError(`Tensor ${name} is missing; the external trainer declared it.`)
    if (data.length !== size)
      throw new ModelParamsMismatchError(
        `Tensor ${name} has ${data.length} values; the external trainer declared [${shape.join(', ')}].`,
      )
    return { name, shape, type: 'F32', data }
  })
}

/** Writes token ids as raw little-endian uint16 (what the protocol's `data` files hold); returns the path. */
export async function writeTokenFile(data: TokenDataset, path: string): Promise<string> {
  const bytes = new Uint8Array(data.tokens.length * 2)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < data.tokens.length; i++) view.setUint16(i * 2, data.tokens[i]!, true)
  await writeFile(path, bytes)
  return path
}
