import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { TrainerBackendError } from './errors.ts'

let wasmPathsSet = false

/**
 * Makes `backend` the active TensorFlow.js backend. For `wasm` the .wasm binaries are loaded from the
 * installed @tensorflow/tfjs-backend-wasm package (a filesystem path: under Node the Emscripten loader
 * reads it with fs), so nothing is fetched at run time.
 */
export async function initTfjsBackend(backend: 'wasm' | 'cpu' = 'wasm'): Promise<void> {
  if (backend === 'wasm' && !wasmPathsSet) {
    const require = createRequire(import.meta.url)
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep
    setWasmPaths(dist)
    wasmPathsSet = true
  }
  // PROD silences tfjs's console banner ("install tfjs-node") and skips debug-only checks.
  tf.env().set('PROD', true)
  if (tf.getBackend() === backend) return
  let ok: boolean
  try {
    ok = await tf.setBackend(backend)
    await tf.ready()
  } catch (cause) {
    throw new TrainerBackendError(`TensorFlow.js backend ${backend} failed to start: ${String(cause)}`, {
      cause,
    })
  }
  if (!ok)
    throw new TrainerBackendError(
      `TensorFlow.js backend ${backend} is not available; is @tensorflow/tfjs-backend-wasm installed?`,
    )
}
