import type { Socket } from 'node:net'

/** Reads exact byte counts from a socket, keeping received buffers without copying. */
export class SocketReader {
  private readonly bufs: Buffer[] = []
  private length = 0
  private ended = false
  private error: Error | undefined
  private wake: (() => void) | undefined

  constructor(socket: Socket) {
    socket.on('data', (b: Buffer) => {
      this.bufs.push(b)
      this.length += b.byteLength
      this.notify()
    })
    socket.on('end', () => {
      this.ended = true
      this.notify()
    })
    socket.on('close', () => {
      this.ended = true
      this.notify()
    })
    socket.on('error', (err) => {
      this.error = err
      this.notify()
    })
  }

  read(n: number): Promise<Buffer[]>
  read(n: number, allowEnd: true): Promise<Buffer[] | null>
  async read(n: number, allowEnd = false): Promise<Buffer[] | null> {
    for (;;) {
      if (this.length >= n) return this.take(n)
      if (this.error !== undefined) throw this.error
      if (this.ended) {
        if (allowEnd && this.length === 0) return null
        throw new Error('Bulk connection closed mid-message.')
      }
      await new Promise<void>((r) => (this.wake = r))
    }
  }

  private take(n: number): Buffer[] {
    const out: Buffer[] = []
    let left = n
    while (left > 0) {
      const head = this.bufs[0]!
      if (head.byteLength <= left) {
        out.push(head)
        this.bufs.shift()
        left -= head.byteLength
      } else {
        out.push(head.subarray(0, left))
        this.bufs[0] = head.subarray(left)
        left = 0
      }
    }
    this.length -= n
    return out
  }

  private notify(): void {
    const w = this.wake
    this.wake = undefined
    w?.()
  }
}
