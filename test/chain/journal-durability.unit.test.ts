import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { ChainJournal } from '../../src/chain/chain-journal.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const entry = (block: number) => ({ op: 'mine' as const, block, timestamp: 1_700_000_000 + block })

test('the journal fsyncs its directory whenever it creates the file, including the first append after a snapshot', async () => {
  await using dir = await tmpDir()
  const synced: string[] = []
  const path = join(dir.path, 'journal.jsonl')
  const journal = new ChainJournal(path, async (p) => {
    synced.push(p)
  })
  await journal.append(entry(1))
  await journal.append(entry(2))
  assert.deepEqual(synced, [path], 'the first append creates the file: one directory fsync, none after')
  // A snapshot now holds everything: the journal file is removed, and the next append creates it again.
  await journal.dropThrough(journal.lastSeq)
  await journal.append(entry(3))
  assert.deepEqual(synced, [path, path], 'the first append after a snapshot fsyncs the directory again')
  await journal.close()
  assert.deepEqual(
    (await new ChainJournal(path).read()).map((e) => e.block),
    [3],
  )
})
