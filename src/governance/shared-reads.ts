/**
 * Reads that concurrent requests share without ever getting an answer older than their own write: a caller
 * never joins a read already running (it may have started before the caller's transaction was mined); it
 * joins the next one, which starts when the running one ends, together with every caller queued meanwhile.
 * One request alone reads at once. A burst of 100 votes on one proposal read its status (3 chain calls each)
 * 100 times; now a handful of times, each answer still showing the caller's own vote.
 */
export class SharedReads<T> {
  private readonly running = new Map<string, Promise<T>>()
  private readonly queued = new Map<string, Promise<T>>()

  read(key: string, load: () => Promise<T>): Promise<T> {
    const queued = this.queued.get(key)
    if (queued) return queued
    const running = this.running.get(key)
    if (!running) return this.start(key, load)
    const next = running.then(
      () => this.startQueued(key, load),
      () => this.startQueued(key, load),
    )
    this.queued.set(key, next)
    return next
  }

  private startQueued(key: string, load: () => Promise<T>): Promise<T> {
    // From here on, new callers queue behind this read instead of joining it.
    this.queued.delete(key)
    return this.start(key, load)
  }

  private start(key: string, load: () => Promise<T>): Promise<T> {
    const read = load()
    this.running.set(key, read)
    const done = () => {
      if (this.running.get(key) === read) this.running.delete(key)
    }
    read.then(done, done)
    return read
  }
}
