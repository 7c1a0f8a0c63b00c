import { getLlama, type Llama, LlamaLogLevel } from 'node-llama-cpp'

let shared: Promise<Llama> | undefined

/**
 * The process-wide CPU llama.cpp runtime: the prebuilt binary only, never a build or a download
 * (there is no network), with llama.cpp's own logging limited to errors.
 */
export function sharedLlamaRuntime(): Promise<Llama> {
  shared ??= getLlama({
    gpu: false,
    build: 'never',
    skipDownload: true,
    logLevel: LlamaLogLevel.error,
  }).catch((err: unknown) => {
    shared = undefined
    throw err
  })
  return shared
}
