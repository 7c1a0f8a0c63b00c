// An OpenAI streaming-completions client in a worker thread, shared by the inference and serving benches:
// real clients run elsewhere, so their SSE parsing must not compete with the node's event loop. Times are
// the worker's `performance.now()` (only differences between them mean anything).
import { Worker } from 'node:worker_threads'

/** One streamed completion as the client saw it. */
export interface StreamResult {
  /** HTTP status; 0 when the request failed, 500 when the stream carried an error event. */
  status: number
  started: number
  /** When each event carrying text arrived (merged events carry several tokens). */
  arrivals: number[]
  /** `usage.completion_tokens` of the final event. */
  tokens: number
  end: number
  /** The error body or message, when status is not 200. */
  error?: string
}

const SOURCE = `
const { parentPort } = require('node:worker_threads')
async function one(id, url, body, killAt) {
  const started = performance.now()
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  if (!res.ok) return { status: res.status, started, arrivals: [], tokens: 0, end: performance.now(), error: await res.text() }
  const decoder = new TextDecoder()
  let buffered = '', tokens = 0, received = 0
  const arrivals = []
  for await (const bytes of res.body) {
    buffered += decoder.decode(bytes, { stream: true })
    let end = buffered.indexOf('\\n\\n')
    while (end >= 0) {
      const data = buffered.slice(6, end)
      buffered = buffered.slice(end + 2)
      end = buffered.indexOf('\\n\\n')
      if (data === '[DONE]') continue
      const chunk = JSON.parse(data)
      if (chunk.error) return { status: 500, started, arrivals, tokens, end: performance.now(), error: JSON.stringify(chunk.error) }
      if (chunk.usage) tokens = chunk.usage.completion_tokens
      const text = chunk.choices[0] && chunk.choices[0].text
      if (text) {
        arrivals.push(performance.now())
        // The tiny models' byte vocabulary: about a character per token.
        const before = received
        received += text.length
        if (before < killAt && received >= killAt) parentPort.postMessage({ id, kill: true })
      }
    }
  }
  return { status: 200, started, arrivals, tokens, end: performance.now() }
}
parentPort.on('message', async ({ id, url, bodies, killAt }) => {
  const results = await Promise.all(
    bodies.map((b) => one(id, url, b, killAt).catch((e) => ({ status: 0, started: 0, arrivals: [], tokens: 0, end: 0, error: String(e) }))),
  )
  parentPort.postMessage({ id, results })
})
`

/** Streams completions from a worker thread, any number at once. */
export class SseClient {
  private readonly worker = new Worker(SOURCE, { eval: true })
  private nextId = 0

  /**
   * Streams one completion per body at once; `onKillPoint` fires when about `killAt` tokens (characters)
   * of one stream have arrived.
   */
  run(url: string, bodies: string[], killAt = -1, onKillPoint?: () => void): Promise<StreamResult[]> {
    const id = this.nextId++
    return new Promise((resolve) => {
      const onMessage = (m: { id: number; kill?: true; results?: StreamResult[] }) => {
        if (m.id !== id) return
        if (m.kill === true) return onKillPoint?.()
        this.worker.off('message', onMessage)
        resolve(m.results!)
      }
      this.worker.on('message', onMessage)
      this.worker.postMessage({ id, url, bodies, killAt })
    })
  }

  close(): Promise<number> {
    return this.worker.terminate()
  }
}
