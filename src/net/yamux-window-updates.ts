import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'

/*
 * @chainsafe/libp2p-yamux 8.x answers every data frame with a window update frame (its `sendWindowUpdate`
 * sends whenever the receive window is not full), so every message a peer sends costs the receiver a
 * sealed frame and a socket write back, and the sender a read: on the bench VM a loopback socket write
 * costs ~0.4 ms of CPU, and a proxied token stream paid it once per token. Go's yamux (the reference
 * implementation) sends an update only once half the window is used, or when flags must go out. This
 * applies that rule to every yamux stream of the process: the sender may still send a whole window
 * without waiting (so nothing stalls), and the receiver's backpressure (pausing updates while its reader
 * is behind) is unchanged.
 */

/** The yamux stream's internals the rule reads; all exist in @chainsafe/libp2p-yamux 8.x. */
interface WindowState {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
  maxStreamWindowSize: number
  epochStart: number
  getRTT(): number
  getSendFlags(): number
  sendFrame(header: { type: number; flag: number; streamID: number; length: number }): boolean
  streamId: number
}

/** yamux's WindowUpdate frame type (frame.ts: Data 0, WindowUpdate 1). */
const WINDOW_UPDATE = 1

let applied = false

/** Makes every yamux stream in this process send window updates as Go's yamux does (idempotent). */
export function batchYamuxWindowUpdates(): void {
  if (applied) return
  const proto = YamuxStream.prototype as unknown as Partial<WindowState> & { sendWindowUpdate?: unknown }
  // Another yamux version: leave it as it is.
  if (typeof proto.sendWindowUpdate !== 'function' || typeof proto.getSendFlags !== 'function') return
  applied = true
  ;(YamuxStream.prototype as unknown as { sendWindowUpdate(): void }).sendWindowUpdate =
    function sendWindowUpdate(this: WindowState): void {
      if (this.state === StreamState.Paused) {
        // No more data wanted now; the epoch restarts when reading resumes (as upstream does).
        this.epochStart = Date.now()
        return
      }
      const flags = this.getSendFlags()
      const now = Date.now()
      const rtt = this.getRTT()
      // Data processed within four round trips of the last update: the window may double (upstream's tuning).
      if (flags === 0 && rtt > -1 && now - this.epochStart <= rtt * 4) {
        this.recvWindow = Math.min(this.recvWindow * 2, this.maxStreamWindowSize)
      }
      const delta = this.recvWindow - this.recvWindowCapacity
      // Go's rule: no update until half the window is used, unless flags must be sent.
      if (flags === 0 && delta < this.recvWindow / 2) return
      this.recvWindowCapacity = this.recvWindow
      this.epochStart = now
      this.sendFrame({ type: WINDOW_UPDATE, flag: flags, streamID: this.streamId, length: delta })
    }
}
