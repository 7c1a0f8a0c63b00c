import type { TensorMap } from '../aggregation/index.ts'
import { byteVocabulary, type GgufTensor, writeGguf } from '../gguf/index.ts'
import type { LlamaModelConfig } from './index.ts'
import { checkParams, paramShapes } from './param-layout.ts'

/** `general.file_type` of an all-F32 model (LLAMA_FTYPE_ALL_F32). */
const FILE_TYPE_ALL_F32 = 0

/**
 * Writes params as an F32 llama GGUF with the byte vocabulary. Params are already in GGUF data layout,
 * and the trainer's RoPE rotates adjacent pairs like llama.cpp's NORM rope, so no Q/K permutation.
 * @example await writeGgufParams('/tmp/model.gguf', trainer.config, await trainer.getParams())
 */
export async function writeGgufParams(
  path: string,
  config: LlamaModelConfig,
  params: TensorMap,
  options: { signal?: AbortSignal; name?: string } = {},
): Promise<void> {
  checkParams(config, params)
  const tensors: GgufTensor[] = paramShapes(config).map((spec) => ({
    name: spec.name,
    shape: spec.shape,
    type: 'F32',
    data: params.get(spec.name)!.data,
  }))
  await writeGguf(
    path,
    {
      metadata: {
        'general.architecture': 'llama',
        'general.name': options.name ?? 'commons-byte-llama',
        'general.file_type': FILE_TYPE_ALL_F32,
        'llama.vocab_size': config.vocabSize,
        'llama.context_length': config.contextLength,
        'llama.embedding_length': config.nEmbd,
        'llama.block_count': config.nLayer,
        'llama.feed_forward_length': config.nFf,
        'llama.rope.dimension_count': config.nEmbd / config.nHead,
        'llama.attention.head_count': config.nHead,
        'llama.attention.head_count_kv': config.nHead,
        'llama.attention.layer_norm_rms_epsilon': { type: 'float32', value: config.rmsNormEps },
        'llama.rope.freq_base': { type: 'float32', value: config.ropeFreqBase },
        ...byteVocabulary(),
      },
      tensors,
    },
    { signal: options.signal },
  )
}
