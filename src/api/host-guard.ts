import { isIP } from 'node:net'
import type { MiddlewareHandler } from 'hono'
import { PermissionDeniedError } from '../errors.ts'

/**
 * Refuses requests a browser was tricked into sending (DNS rebinding, cross-site writes):
 * - the `Host` must be an IP address, `localhost`, or a name the operator allowed (`api.allowedHosts`):
 *   a rebinding page's own domain name that resolves to this node is refused;
 * - a state-changing request that carries an `Origin` must come from the origin it is addressed to.
 * Clients that are not browsers (CLI, SDKs, curl) send a proper Host and no Origin, and pass.
 */
export function hostGuard(init: { allowedHosts?: readonly string[] } = {}): MiddlewareHandler {
  const allowed = new Set(['localhost', ...(init.allowedHosts ?? []).map((h) => h.toLowerCase())])
  return async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host
    const name = hostname(host)
    if (name === undefined || !(isIP(name) !== 0 || allowed.has(name))) {
      throw new PermissionDeniedError(
        `Requests addressed to host "${host}" are refused: this node answers to IP addresses, localhost and the names in api.allowedHosts of its config.`,
      )
    }
    const origin = c.req.header('origin')
    const writes = c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.req.method !== 'OPTIONS'
    if (writes && origin !== undefined && originHost(origin) !== host.toLowerCase()) {
      throw new PermissionDeniedError(
        `A request from the web page at ${origin} may not change anything on this node.`,
      )
    }
    return next()
  }
}

/** The host name of a Host header (`[::1]:8480` -> `::1`, `a.b:80` -> `a.b`), lower-case. */
function hostname(header: string): string | undefined {
  const h = header.trim().toLowerCase()
  if (h === '') return undefined
  if (h.startsWith('[')) {
    const end = h.indexOf(']')
    return end > 0 ? h.slice(1, end) : undefined
  }
  return h.split(':')[0]
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase()
  } catch {
    return undefined
  }
}
