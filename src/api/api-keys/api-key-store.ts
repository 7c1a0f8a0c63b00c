import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { z } from 'zod'
import { writeFileAtomic } from '../../atomic-file.ts'
import { ApiKeyFileError, ApiKeyNotFoundError } from './errors.ts'

const KEY_PATTERN = /^mc_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/

const RecordSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{12}$/),
    label: z.string().max(200),
    address: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/)
      .nullable(),
    /** sha256 of the whole key, hex: the key itself is never stored. */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .strict()

const FileSchema = z.object({ version: z.literal(1), keys: z.array(RecordSchema) }).strict()

/** What the store keeps about a key (never the key). */
export type ApiKeyRecord = z.infer<typeof RecordSchema>

/** The identity a valid key stands for. */
export interface ApiKeyPrincipal {
  id: string
  label: string
  address: string | null
}

/**
 * API keys of a node, persisted in one JSON file (`<data>/api-keys.json`) (only sha256 hashes, atomic writes). Keys look
 * like `mc_<id>_<secret>`: the id finds the record, the hash of the whole key proves it. The file is
 * re-read when it changes on disk, so `commons key revoke` takes effect on a running node.
 * @example
 * const store = new ApiKeyStore({ path: layout.apiKeys }); const { key } = await store.create({ label: 'demo' })
 */
export class ApiKeyStore {
  private readonly path: string
  private records: ApiKeyRecord[] = []
  /** mtime, inode and size of the file as last read: an atomic rename always changes the inode. */
  private loadedVersion = ''
  private writing: Promise<unknown> = Promise.resolve()

  constructor(init: { path: string }) {
    this.path = init.path
  }

  /** Issues a key; the returned `key` is shown once and never stored. */
  async create(init: { label: string; address?: string }): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.mutate(async () => {
      const id = randomBytes(6).toString('hex')
      const key = `mc_${id}_${randomBytes(32).toString('base64url')}`
      const record: ApiKeyRecord = RecordSchema.parse({
        id,
        label: init.label,
        address: init.address ?? null,
        hash: sha256(key),
        createdAt: new Date().toISOString(),
        revokedAt: null,
      })
      this.records.push(record)
      return { key, record }
    })
  }

  /** Every key record, revoked ones included. */
  async list(): Promise<ApiKeyRecord[]> {
    await this.refresh()
    return this.records.map((r) => ({ ...r }))
  }

  /** Revokes a key by id (idempotent); throws ApiKeyNotFoundError. */
  async revoke(id: string): Promise<ApiKeyRecord> {
    return this.mutate(async () => {
      const record = this.records.find((r) => r.id === id)
      if (record === undefined)
        throw new ApiKeyNotFoundError(`No API key has id ${id}; see \`commons key list\`.`)
      record.revokedAt ??= new Date().toISOString()
      return { ...record }
    })
  }

  /** The principal of a valid, unrevoked key, else undefined. */
  async verify(key: string): Promise<ApiKeyPrincipal | undefined> {
    const m = KEY_PATTERN.exec(key)
    if (m === null) return undefined
    await this.refresh()
    const record = this.records.find((r) => r.id === m[1])
    if (record === undefined || record.revokedAt !== null) return undefined
    const ok = timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(sha256(key), 'hex'))
    return ok ? { id: record.id, label: record.label, address: record.address } : undefined
  }

  private async mutate<T>(change: () => Promise<T>): Promise<T> {
    const run = this.writing.then(async () => {
      await this.refresh()
      const result = await change()
      await writeFileAtomic(this.path, `${JSON.stringify({ version: 1, keys: this.records }, null, 2)}\n`)
      this.loadedVersion = fileVersion(await stat(this.path))
      return result
    })
    this.writing = run.catch(() => undefined)
    return run
  }

  private async refresh(): Promise<void> {
    let version: string
    try {
      version = fileVersion(await stat(this.path))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      this.records = []
      this.loadedVersion = ''
      return
    }
    if (version === this.loadedVersion) return
    let parsed: z.infer<typeof FileSchema>
    try {
      parsed = FileSchema.parse(JSON.parse(await readFile(this.path, 'utf8')))
    } catch (cause) {
      throw new ApiKeyFileError(`${this.path} is not a valid API key file; fix or remove it.`, { cause })
    }
    this.records = parsed.keys
    this.loadedVersion = version
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function fileVersion(s: { mtimeMs: number; ino: number; size: number }): string {
  return `${s.mtimeMs}:${s.ino}:${s.size}`
}
