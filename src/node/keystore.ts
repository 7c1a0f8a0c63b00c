import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { writeFileAtomic } from '../atomic-file.ts'
import { InvalidInputError, NotFoundError } from '../errors.ts'
import { KeyLockedError, WrongPassphraseError } from './errors.ts'

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/

const keyFileSchema = z.union([
  z.object({ version: z.literal(1), address: z.string(), privateKey: z.string().regex(/^0x[0-9a-f]{64}$/i) }),
  z.object({
    version: z.literal(1),
    address: z.string(),
    crypto: z.object({
      kdf: z.literal('scrypt'),
      salt: z.string(),
      n: z.number(),
      r: z.number(),
      p: z.number(),
      cipher: z.literal('aes-256-gcm'),
      iv: z.string(),
      tag: z.string(),
      ciphertext: z.string(),
    }),
  }),
])

/**
 * Local accounts in `<data>/accounts/<name>.json`: the node's identity (`node`) and any member accounts
 * kept on this machine. Encrypted at rest (scrypt + AES-256-GCM) when a passphrase is set.
 */
export class Keystore {
  private readonly dir: string
  private readonly passphrase: string | undefined
  private readonly cache = new Map<string, PrivateKeyAccount>()

  constructor(init: { dir: string; passphrase?: string }) {
    this.dir = init.dir
    this.passphrase = init.passphrase
  }

  /** Creates an account with a fresh random key; fails if the name exists. */
  async create(name: string): Promise<PrivateKeyAccount> {
    checkName(name)
    if ((await this.names()).includes(name)) {
      throw new InvalidInputError(`An account named "${name}" already exists in ${this.dir}.`)
    }
    const privateKey = generatePrivateKey()
    const account = privateKeyToAccount(privateKey)
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    await writeFileAtomic(this.path(name), JSON.stringify(this.seal(account.address, privateKey)), {
      mode: 0o600,
    })
    this.cache.set(name, account)
    return account
  }

  /** Returns the named account, creating it when `create` is set and it does not exist. */
  async get(name: string, opts: { create?: boolean } = {}): Promise<PrivateKeyAccount> {
    checkName(name)
    const cached = this.cache.get(name)
    if (cached) return cached
    let text: string
    try {
      text = await readFile(this.path(name), 'utf8')
    } catch {
      if (opts.create === true) return this.create(name)
      throw new NotFoundError(
        `No local account named "${name}". See \`commons whoami --all\`, or create it with \`commons init\`.`,
      )
    }
    const file = keyFileSchema.parse(JSON.parse(text))
    const privateKey =
      'privateKey' in file ? (file.privateKey as `0x${string}`) : this.open(name, file.crypto)
    const account = privateKeyToAccount(privateKey)
    this.cache.set(name, account)
    return account
  }

  /** The raw 32-byte private key of an account (for the libp2p identity). Never log it. */
  async privateKeyBytes(name: string): Promise<Uint8Array> {
    const text = await readFile(this.path(name), 'utf8')
    const file = keyFileSchema.parse(JSON.parse(text))
    const hex = 'privateKey' in file ? file.privateKey : this.open(name, file.crypto)
    return Buffer.from(hex.slice(2), 'hex')
  }

  /** Names of the accounts on disk. */
  async names(): Promise<string[]> {
    try {
      return (await readdir(this.dir))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .sort()
    } catch {
      return []
    }
  }

  /** Resolves a name or an address of a local account. */
  async resolve(nameOrAddress: string): Promise<PrivateKeyAccount> {
    if (/^0x[0-9a-fA-F]{40}$/.test(nameOrAddress)) {
      for (const n of await this.names()) {
        const a = await this.get(n)
        if (a.address.toLowerCase() === nameOrAddress.toLowerCase()) return a
      }
      throw new NotFoundError(
        `No local account has address ${nameOrAddress}; this node can only sign for its own accounts.`,
      )
    }
    return this.get(nameOrAddress)
  }

  private path(name: string): string {
    return join(this.dir, `${name}.json`)
  }

  private seal(address: string, privateKey: `0x${string}`) {
    if (this.passphrase === undefined) return { version: 1, address, privateKey }
    const salt = randomBytes(16)
    const iv = randomBytes(12)
    const params = { n: 2 ** 15, r: 8, p: 1 }
    const key = scryptSync(this.passphrase, salt, 32, {
      N: params.n,
      r: params.r,
      p: params.p,
      maxmem: 64 * 1024 * 1024,
    })
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    const ciphertext = Buffer.concat([cipher.update(Buffer.from(privateKey.slice(2), 'hex')), cipher.final()])
    return {
      version: 1,
      address,
      crypto: {
        kdf: 'scrypt',
        salt: salt.toString('hex'),
        ...params,
        cipher: 'aes-256-gcm',
        iv: iv.toString('hex'),
        tag: cipher.getAuthTag().toString('hex'),
        ciphertext: ciphertext.toString('hex'),
      },
    }
  }

  private open(
    name: string,
    c: { salt: string; n: number; r: number; p: number; iv: string; tag: string; ciphertext: string },
  ): `0x${string}` {
    if (this.passphrase === undefined) {
      throw new KeyLockedError(
        `The key of account "${name}" is encrypted. Set COMMONS_PASSPHRASE or pass --passphrase-file <file>.`,
      )
    }
    const key = scryptSync(this.passphrase, Buffer.from(c.salt, 'hex'), 32, {
      N: c.n,
      r: c.r,
      p: c.p,
      maxmem: 64 * 1024 * 1024,
    })
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(c.iv, 'hex'))
    decipher.setAuthTag(Buffer.from(c.tag, 'hex'))
    try {
      const pk = Buffer.concat([decipher.update(Buffer.from(c.ciphertext, 'hex')), decipher.final()])
      return `0x${pk.toString('hex')}`
    } catch (err) {
      throw new WrongPassphraseError(`The passphrase does not unlock account "${name}".`, { cause: err })
    }
  }
}

function checkName(name: string): void {
  if (!ACCOUNT_NAME.test(name)) {
    throw new InvalidInputError(
      `"${name}" is not a valid account name: use 1-32 lowercase letters, digits, "-" or "_", starting with a letter or digit.`,
    )
  }
}
