/** A bitfield of `count` bits, bit i = byte[i >> 3] & (0x80 >> (i & 7)) (most significant bit first). */
export function encodeBitfield(count: number, isSet: (index: number) => boolean): string {
  const bytes = new Uint8Array(Math.ceil(count / 8))
  for (let i = 0; i < count; i++) if (isSet(i)) bytes[i >> 3]! |= 0x80 >> (i & 7)
  return Buffer.from(bytes).toString('base64')
}

/** Decodes a base64 bitfield into the set of indexes that are set (below `count`). */
export function decodeBitfield(base64: string, count: number): Set<number> {
  const bytes = Buffer.from(base64, 'base64')
  const set = new Set<number>()
  for (let i = 0; i < count && i >> 3 < bytes.byteLength; i++) {
    if ((bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0) set.add(i)
  }
  return set
}
