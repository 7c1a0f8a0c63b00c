// Prints the inference bench's figures and reports its goal rows (the tiny model's carry the goals).
import { describeModel } from './bench-models.ts'
import { reportGoals, times } from './goals.ts'
import type { BenchInferenceResult, PathFigures } from './inference.ts'

/** Prints one model's figures and returns its goal rows (the tiny model's carry the goals). */
export function report(r: BenchInferenceResult): void {
  const s = r.settings
  const line = (label: string, p: PathFigures) =>
    `${label.padEnd(34)} TTFT ${p.ttftMs.toFixed(1).padStart(6)} ms  ${p.tokensPerSecond.toFixed(1).padStart(7)} tok/s  ` +
    `(×${(p.tokensPerSecond / r.direct.tokensPerSecond).toFixed(3)} tok/s, TTFT +${(p.ttftMs - r.direct.ttftMs).toFixed(1)} ms vs direct)  ` +
    `CPU ${p.cpuUsPerToken.toFixed(0).padStart(5)} µs/token (+${(p.cpuUsPerToken - r.direct.cpuUsPerToken).toFixed(0)})` +
    (p.eventsPerToken > 0 ? `  ${p.eventsPerToken.toFixed(2)} SSE events/token` : '') +
    (p.peerCpuUsPerToken > 0 ? `  (serving peer ${p.peerCpuUsPerToken.toFixed(0)} µs/token)` : '')
  console.log(
    `model: ${describeModel(s.model)}, threads=1, prompt≈${s.promptTokens} tokens, ${s.tokens} generated at temperature 0.8, median of ${s.runs} runs`,
  )
  console.log(line('(a) node-llama-cpp direct', r.direct))
  console.log(line('    LlamaCppEngine in-process', r.engine))
  console.log(line('(b) /v1 API, HTTP + SSE, local', r.api))
  console.log(line('(c) /v1 API proxied over libp2p', r.proxy))
  const ok = (cond: boolean) => (cond ? 'met' : 'NOT met')
  const apiX = r.api.tokensPerSecond / r.direct.tokensPerSecond
  const proxyX = r.proxy.tokensPerSecond / r.direct.tokensPerSecond
  const ms = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`
  console.log(
    `goal (b) >= 0.97x tok/s: ${ok(apiX >= 0.97)}; TTFT added <= 10 ms: ${ok(r.api.ttftMs - r.direct.ttftMs <= 10)}`,
  )
  console.log(
    `goal (c) >= 0.95x tok/s: ${ok(proxyX >= 0.95)}; TTFT added <= 25 ms: ${ok(r.proxy.ttftMs - r.direct.ttftMs <= 25)}`,
  )
  console.log(
    `relative to the engine in-process: (b) ×${(r.api.tokensPerSecond / r.engine.tokensPerSecond).toFixed(3)}, (c) ×${(r.proxy.tokensPerSecond / r.engine.tokensPerSecond).toFixed(3)} tok/s`,
  )
  const model = s.model === 'tiny' ? '' : `, ${s.model} model`
  reportGoals([
    {
      bench: 'inference',
      goal: `(b) local /v1 tok/s vs direct >= 0.97x${model}`,
      figure: times(apiX),
      met: apiX >= 0.97,
    },
    {
      bench: 'inference',
      goal: `(b) local /v1 TTFT added <= 10 ms${model}`,
      figure: ms(r.api.ttftMs - r.direct.ttftMs),
      met: r.api.ttftMs - r.direct.ttftMs <= 10,
    },
    {
      bench: 'inference',
      goal: `(c) proxied tok/s vs direct >= 0.95x${model}`,
      figure: times(proxyX),
      met: proxyX >= 0.95,
    },
    {
      bench: 'inference',
      goal: `(c) proxied TTFT added <= 25 ms${model}`,
      figure: ms(r.proxy.ttftMs - r.direct.ttftMs),
      met: r.proxy.ttftMs - r.direct.ttftMs <= 25,
    },
  ])
  for (const f of r.failovers) {
    console.log(
      `failover (${f.reason}) after ${f.generated} tokens: detection→first token ${f.resumeMs.toFixed(1)} ms; client-visible gap ${f.gapMs.toFixed(1)} ms (normal token interval ${r.tokenIntervalMs.toFixed(2)} ms, so +${(f.gapMs - r.tokenIntervalMs).toFixed(1)} ms added)`,
    )
  }
}
