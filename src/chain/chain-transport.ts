import { http, type Transport, webSocket } from 'viem'
import { ipcTransport } from './ipc-transport.ts'

/**
 * Whether a chain endpoint is a local IPC socket (a file path, or `ipc://<path>`) rather than a URL.
 * The embedded chain is reached this way: its socket lives in the private data dir.
 */
export function isIpcEndpoint(endpoint: string): boolean {
  return endpoint.startsWith('/') || endpoint.startsWith('ipc://')
}

/** The viem transport for a chain endpoint: an IPC socket path, `http(s)://` or `ws(s)://`. */
export function chainTransport(
  endpoint: string,
  opts: { timeoutMs?: number; retryCount?: number } = {},
): Transport {
  const timeout = opts.timeoutMs ?? 30_000
  const retryCount = opts.retryCount ?? 2
  if (isIpcEndpoint(endpoint)) {
    return ipcTransport(endpoint.replace(/^ipc:\/\//, ''), { timeoutMs: timeout, retryCount })
  }
  if (/^wss?:\/\//.test(endpoint)) return webSocket(endpoint, { timeout, retryCount })
  return http(endpoint, { timeout, retryCount })
}

/** Whether the endpoint is on this machine (local chains mine at once: poll receipts fast). */
export function isLocalEndpoint(endpoint: string): boolean {
  return isIpcEndpoint(endpoint) || /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(endpoint)
}
