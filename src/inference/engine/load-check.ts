import { stat } from 'node:fs/promises'
import type { Llama } from 'node-llama-cpp'
import { readGgufHeader } from '../../gguf/index.ts'
import { UnloadableModelError } from './errors.ts'
import { sharedLlamaRuntime } from './llama-runtime.ts'

/**
 * Checks that a file is a GGUF model llama.cpp loads, and throws UnloadableModelError saying why not. First
 * the project's own reader (magic, version, metadata, tensor table, every tensor inside the file), which
 * refuses garbage without handing it to native code; then a real load in llama.cpp (the model only, no
 * context), disposed at once.
 */
export async function checkModelLoads(
  path: string,
  opts: {
    llama?: Llama
    signal?: AbortSignal
    label?: string
    /** Also load the model in llama.cpp (default true); false: the reader's checks only (a caller that loads next). */
    llamaLoad?: boolean
  } = {},
): Promise<void> {
  const label = opts.label ?? path
  const refuse = (why: string, cause?: unknown): never => {
    throw new UnloadableModelError(
      `${label} is not a loadable GGUF model: ${why}. Propose a GGUF file that llama.cpp loads (e.g. one \`commons\` trained or exported).`,
      { cause, details: { reason: why } },
    )
  }
  const size = (await stat(path)).size
  let header: Awaited<ReturnType<typeof readGgufHeader>>
  try {
    header = await readGgufHeader(path)
  } catch (err) {
    return refuse((err as Error).message.replace(/\.$/, ''), err)
  }
  if (header.tensors.length === 0) refuse('it holds no tensors')
  if (header.metadata['general.architecture']?.type !== 'string') refuse('it names no general.architecture')
  for (const t of header.tensors) {
    if (t.byteLength === undefined) continue
    if (header.dataOffset + t.offset + t.byteLength > size)
      refuse(`tensor ${t.name} runs past the end of the file (${size} bytes)`)
  }
  if (opts.llamaLoad === false) return
  const llama = opts.llama ?? (await sharedLlamaRuntime())
  try {
    const model = await llama.loadModel({ modelPath: path, loadSignal: opts.signal })
    await model.dispose()
  } catch (err) {
    refuse(`llama.cpp refused it (${(err as Error).message})`, err)
  }
}
