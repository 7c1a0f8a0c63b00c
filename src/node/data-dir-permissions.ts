import { chmod, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { DataDirLayout } from './data-dir.ts'

/**
 * Makes the data dir private again on every start: the dir and `accounts/` 0700, keys and tokens 0600.
 * A data dir made by an older version, copied, or unpacked from a backup may have been readable by others;
 * creating files with the right mode is not enough for those that already exist.
 */
export async function tightenDataDirPermissions(
  layout: Pick<DataDirLayout, 'root' | 'accounts' | 'apiToken' | 'apiKeys'>,
): Promise<void> {
  await chmod(layout.root, 0o700)
  await chmodIfPresent(layout.accounts, 0o700)
  const accounts = await readdir(layout.accounts).catch(() => [] as string[])
  for (const name of accounts) await chmodIfPresent(join(layout.accounts, name), 0o600)
  await chmodIfPresent(layout.apiToken, 0o600)
  await chmodIfPresent(layout.apiKeys, 0o600)
}

async function chmodIfPresent(path: string, mode: number): Promise<void> {
  await chmod(path, mode).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
  })
}
