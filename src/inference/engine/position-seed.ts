/**
 * The sampling seed of token `index` of a generation: a hash of (request seed, index) and nothing
 * else, so any engine that resumes at `index` samples exactly what the first engine would have.
 * Result is a uint32 (what llama.cpp's sampler takes).
 */
export function positionSeed(seed: number, index: number): number {
  const s = Math.trunc(seed)
  const lo = s >>> 0
  const hi = Math.floor(s / 0x100000000) >>> 0
  let h = fmix32(lo ^ 0x9e3779b9)
  h = fmix32(h ^ Math.imul(hi, 0x85ebca6b))
  return fmix32(h ^ Math.imul(index + 1, 0xc2b2ae35))
}

/** A uint32 seed for requests that bring none. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000)
}

/** MurmurHash3's 32-bit finalizer: a bijective avalanche mix. */
function fmix32(x: number): number {
  let h = x >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}
