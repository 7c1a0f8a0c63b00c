import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from '../atomic-file.ts'

/** Reads the node's API token, creating a random one on first use (file mode 0600). */
export async function loadOrCreateApiToken(path: string): Promise<string> {
  try {
    const token = (await readFile(path, 'utf8')).trim()
    if (token.length >= 32) return token
  } catch {}
  const token = randomBytes(32).toString('base64url')
  await writeFileAtomic(path, token, { mode: 0o600 })
  return token
}
