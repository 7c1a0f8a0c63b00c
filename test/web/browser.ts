import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import type { PrivateKeyAccount } from 'viem'

/** Debian's chromium (scripts/install-system-deps.sh); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** A headless Chromium with a fresh profile, removed by `await using`. */
export async function openBrowser(): Promise<AsyncDisposable & { context: BrowserContext }> {
  const profile = await mkdtemp(join(tmpdir(), 'commons-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 900 },
  })
  return {
    context,
    [Symbol.asyncDispose]: async () => {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}

/**
 * Injects a minimal EIP-1193 wallet (`window.ethereum`) backed by a viem private-key account: it gives its
 * address and signs EIP-712 typed data, as MetaMask-like wallets do; it sends no transactions.
 */
export async function injectWallet(context: BrowserContext, wallet: PrivateKeyAccount): Promise<void> {
  await context.exposeFunction('__testWalletSign', async (json: string) => {
    const td = JSON.parse(json)
    const { EIP712Domain: _domain, ...types } = td.types
    const message = Object.fromEntries(
      Object.entries(td.message as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : v,
      ]),
    )
    return wallet.signTypedData({ domain: td.domain, types, primaryType: td.primaryType, message })
  })
  // A string, not a function: the test runner's transpiler would add helpers the page does not have.
  await context.addInitScript({
    content: `window.ethereum = { request: async ({ method, params }) => {
      if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [${JSON.stringify(wallet.address)}]
      if (method === 'eth_signTypedData_v4') return window.__testWalletSign(params[1])
      throw Object.assign(new Error('unsupported method ' + method), { code: 4200 })
    } }`,
  })
}

/** Console errors and uncaught exceptions of a page. */
export function watchErrors(page: Page, expected: { url: RegExp; status: number }[] = []): string[] {
  const errors: string[] = []
  const statuses = new Map<string, number>()
  page.on('response', (r) => statuses.set(r.url(), r.status()))
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    // A failed load is an error unless the test expects that answer from that URL (e.g. 404 of an endpoint
    // this node lacks, which the page shows as "not available").
    const url = m.location().url
    const status = statuses.get(url)
    if (
      m.text().startsWith('Failed to load resource') &&
      expected.some((e) => e.url.test(url) && e.status === status)
    )
      return
    errors.push(`console: ${m.text()} (${url})`)
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  return errors
}

/** Bytes transferred for the document and every finished resource (the open event stream excluded). */
export function pageWeight(page: Page): Promise<number> {
  return page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation')[0]
    return nav.transferSize + performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, 0)
  })()`)
}
