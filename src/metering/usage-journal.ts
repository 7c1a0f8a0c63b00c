import { closeSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { z } from 'zod'
import { syncDirectoryOf, writeFileAtomic } from '../atomic-file.ts'

/**
 * An append-only log of metering records (JSON lines). `append` writes synchronously to the file (the
 * kernel has it when the call returns, so a kill -9 of the node right after loses nothing) and an fsync
 * follows within `syncMs` for power loss. `compact` rewrites the file as the records that still matter
 * (temp + fsync + rename). A torn last line (a crash mid-append) is ignored on load.
 */
export class UsageJournal<R> {
  private fd: number | undefined
  private dirty = false
  private timer: NodeJS.Timeout | undefined
  private lines = 0

  constructor(
    private readonly path: string,
    private readonly schema: z.ZodType<R>,
    private readonly init: { syncMs?: number } = {},
  ) {}

  /** Reads every valid record in append order and opens the file for appending. */
  async open(): Promise<R[]> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    const records: R[] = []
    let bytes = Buffer.alloc(0)
    try {
      bytes = readFileSync(this.path)
    } catch {
      // no journal yet
    }
    // A torn last line (a crash mid-append) is cut off, or the next record would be glued to it and lost.
    const end = bytes.lastIndexOf(0x0a) + 1
    if (end < bytes.length) {
      truncateSync(this.path, end)
      bytes = bytes.subarray(0, end)
    }
    const text = bytes.toString('utf8')
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      try {
        const parsed = this.schema.safeParse(JSON.parse(line))
        if (parsed.success) records.push(parsed.data)
      } catch {
        // A torn write can only be the last line.
      }
    }
    const created = bytes.length === 0
    this.fd = openSync(this.path, 'a', 0o600)
    if (created) await syncDirectoryOf(this.path)
    this.lines = records.length
    return records
  }

  /** How many records the file holds (a caller compacts when it grows). */
  get size(): number {
    return this.lines
  }

  append(record: R): void {
    if (this.fd === undefined) throw new Error('UsageJournal.append before open')
    writeSync(this.fd, `${JSON.stringify(record, bigintJson)}\n`)
    this.lines++
    this.dirty = true
    this.timer ??= setTimeout(() => this.sync(), this.init.syncMs ?? 200)
  }

  /** fsyncs what was appended (called on a timer, and on close). */
  sync(): void {
    this.timer = undefined
    if (this.fd === undefined || !this.dirty) return
    this.dirty = false
    fsyncSync(this.fd)
  }

  /** Replaces the file with `records` atomically, then appends after them. */
  async compact(records: readonly R[]): Promise<void> {
    const text = records.map((r) => `${JSON.stringify(r, bigintJson)}\n`).join('')
    this.sync()
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    await writeFileAtomic(this.path, text, { mode: 0o600 })
    this.fd = openSync(this.path, 'a', 0o600)
    this.lines = records.length
  }

  close(): void {
    clearTimeout(this.timer)
    this.sync()
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }
}

/** bigint as a decimal string (records parse them back with z.coerce / BigInt). */
function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}
