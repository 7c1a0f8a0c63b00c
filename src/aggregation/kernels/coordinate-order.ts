/*
 * Per-coordinate order statistics for robust rules. For each coordinate the n values are gathered into
 * one small reused buffer and sorted in place: insertion sort for the usual n <= 64 (few comparisons,
 * no allocation), the typed-array sort above that.
 */

const INSERTION_SORT_MAX = 64

function sortSmall(buf: Float64Array, n: number): void {
  if (n > INSERTION_SORT_MAX) {
    buf.subarray(0, n).sort()
    return
  }
  for (let i = 1; i < n; i++) {
    const v = buf[i]!
    let j = i - 1
    while (j >= 0 && buf[j]! > v) {
      buf[j + 1] = buf[j]!
      j--
    }
    buf[j + 1] = v
  }
}

/** Writes the coordinate-wise median of `inputs` into `out` (mean of the two middle values when n is even). */
export function coordinateMedian(inputs: readonly Float32Array[], out: Float32Array): void {
  const n = inputs.length
  const buf = new Float64Array(n)
  const mid = n >> 1
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < n; k++) buf[k] = inputs[k]![i]!
    sortSmall(buf, n)
    out[i] = n % 2 === 1 ? buf[mid]! : (buf[mid - 1]! + buf[mid]!) / 2
  }
}

/** Writes the coordinate-wise mean of `inputs` after dropping the `trim` lowest and `trim` highest values. */
export function coordinateTrimmedMean(
  inputs: readonly Float32Array[],
  trim: number,
  out: Float32Array,
): void {
  const n = inputs.length
  const buf = new Float64Array(n)
  const kept = n - 2 * trim
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < n; k++) buf[k] = inputs[k]![i]!
    sortSmall(buf, n)
    let s = 0
    for (let k = trim; k < n - trim; k++) s += buf[k]!
    out[i] = s / kept
  }
}
