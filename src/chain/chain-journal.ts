import { access, type FileHandle, open, readFile, rm } from 'node:fs/promises'
import { z } from 'zod'
import { syncDirectoryOf, writeFileAtomic } from '../atomic-file.ts'

/**
 * One state change of the embedded chain, in the order it happened: a mined transaction (its signed raw
 * bytes and the block timestamp), an empty mined block (time warp), or a balance set by the devnet.
 */
export const journalEntrySchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('tx'),
    seq: z.number(),
    block: z.number(),
    timestamp: z.number(),
    raw: z.string(),
  }),
  z.object({ op: z.literal('mine'), seq: z.number(), block: z.number(), timestamp: z.number() }),
  z.object({
    op: z.literal('balance'),
    seq: z.number(),
    block: z.number(),
    address: z.string(),
    wei: z.string(),
  }),
])
export type JournalEntry = z.infer<typeof journalEntrySchema>
export type NewJournalEntry = JournalEntry extends infer E
  ? E extends JournalEntry
    ? Omit<E, 'seq'>
    : never
  : never

/**
 * An append-only, fsynced log of chain changes since the last snapshot. Appending one line costs far less
 * than dumping the whole chain state after every transaction, and replaying it over the snapshot after a
 * crash restores every change that was reported confirmed.
 */
export class ChainJournal {
  private handle: FileHandle | undefined
  private seq = 0
  private tail: Promise<void> = Promise.resolve()

  constructor(
    private readonly path: string,
    /** fsyncs the journal's directory (injectable so a test can see when it happens). */
    private readonly syncDirectory: (path: string) => Promise<void> = syncDirectoryOf,
  ) {}

  /** Reads the entries, ignoring a torn last line (a crash mid-append), in replay order. */
  async read(): Promise<JournalEntry[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch {
      return []
    }
    const entries: JournalEntry[] = []
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      try {
        const parsed = journalEntrySchema.safeParse(JSON.parse(line))
        if (parsed.success) entries.push(parsed.data)
      } catch {
        // A torn write can only be the last line: it was never reported confirmed.
      }
    }
    this.seq = entries.reduce((m, e) => Math.max(m, e.seq), 0)
    return entries.sort(replayOrder)
  }

  /** Appends an entry and fsyncs before resolving. Appends are serialized. */
  append(entry: NewJournalEntry): Promise<void> {
    return this.appendAll([entry])
  }

  /** Appends entries in order with one write and one fsync before resolving. Appends are serialized. */
  appendAll(entries: readonly NewJournalEntry[]): Promise<void> {
    if (entries.length === 0) return this.tail
    const line = entries.map((e) => `${JSON.stringify({ ...e, seq: ++this.seq })}\n`).join('')
    const next = this.tail.then(async () => {
      if (this.handle === undefined) {
        const created = !(await exists(this.path))
        this.handle = await open(this.path, 'a', 0o600)
        // A journal (re)created after a snapshot is a new directory entry: without a directory fsync a
        // crash could lose the whole file, and with it a transaction already reported confirmed.
        if (created) await this.syncDirectory(this.path)
      }
      await this.handle.write(line)
      await this.handle.datasync()
    })
    this.tail = next.catch(() => {})
    return next
  }

  /** Sequence number of the last appended entry. */
  get lastSeq(): number {
    return this.seq
  }

  /** Drops the entries up to `seq` (a snapshot now contains them), keeping any appended since. */
  async dropThrough(seq: number): Promise<void> {
    await this.tail
    await this.close()
    const rest = (await this.read()).filter((e) => e.seq > seq)
    if (rest.length === 0) await rm(this.path, { force: true })
    else await writeFileAtomic(this.path, rest.map((e) => `${JSON.stringify(e)}\n`).join(''))
  }

  async close(): Promise<void> {
    await this.tail
    await this.handle?.close()
    this.handle = undefined
  }
}

/** Blocks in order; a balance set after block N (and before N + 1) replays after N's transaction. */
function replayOrder(a: JournalEntry, b: JournalEntry): number {
  return a.block - b.block || Number(a.op === 'balance') - Number(b.op === 'balance') || a.seq - b.seq
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}
