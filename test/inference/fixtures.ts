import { join } from 'node:path'
import type { Llama } from 'node-llama-cpp'
import { createTinyLlama, type TinyLlamaInit, writeGguf } from '../../src/gguf/index.ts'
import { type ModelSource, sharedLlamaRuntime } from '../../src/inference/index.ts'

/** The CPU llama.cpp runtime the engine uses, shared by the tests of one file. */
export function testLlama(): Promise<Llama> {
  return sharedLlamaRuntime()
}

/** Writes a tiny byte-vocabulary llama into `dir` and returns it as a model source. */
export async function writeTinyModel(dir: string, init: Partial<TinyLlamaInit> = {}): Promise<ModelSource> {
  const full: TinyLlamaInit = { seed: 1, nEmbd: 64, nLayer: 2, nHead: 4, type: 'F32', nCtx: 512, ...init }
  const path = join(dir, `tiny-${full.seed}-${full.type}-${full.nEmbd}x${full.nLayer}.gguf`)
  await writeGguf(path, createTinyLlama(full))
  return { path, contentRoot: `0x${'ab'.repeat(32)}` }
}

/** Strings that exercise every UTF-8 length, combining marks, whitespace runs and newlines. */
export const UTF8_SAMPLES = [
  'hello world',
  'héllo wörld, ça va? Ñandú',
  'emoji 🎉🚀 and flags 🇫🇷 and zwj 👩‍💻',
  'line one\nline two\r\n\ttabbed  two  spaces   three',
  ' leading and trailing spaces ',
  'CJK 漢字かなカナ 한국어, Greek αβγ, Cyrillic жизнь',
  'combining e\u0301 and a\u0308, math ∑∫√ and the private use \uE000',
  '<s> </s> <unk> <0x41> look like specials but are text',
  '',
]
