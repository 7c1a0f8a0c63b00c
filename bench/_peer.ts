import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createInferenceEngine, createInferenceService, LoadedModels, StaticModelResolver } from '../src/inference/index.ts'
import { silentLogger } from '../src/log.ts'
import { createCommonsHost } from '../src/net/index.ts'
import { PeerDirectory } from '../src/net/peer-directory.ts'
import { benchModelPath } from './bench-models.ts'
const ROOT = `0x${'be'.repeat(32)}`
const RESOLVER = new StaticModelResolver([{ modelName: 'bench', modelId: '1', versionId: '1', contentRoot: ROOT, created: 0 }])
const dir = await mkdtemp(join(tmpdir(), 'peer-'))
const path = await benchModelPath('tiny', dir)
const child = spawn(process.execPath, [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.PROF] : []), '--import', 'tsx', 'test/routing/fixtures/serving-node.ts', JSON.stringify({ modelPath: path, contentRoot: ROOT, contextSize: 512, sequences: 1 })], { stdio: ['pipe', 'pipe', 'inherit'] })
const peer = await new Promise<any>((r) => createInterface({ input: child.stdout! }).once('line', (l) => r(JSON.parse(l))))
const host = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
await host.start()
const directory = new PeerDirectory()
const service = createInferenceService({}, { host, directory, resolver: RESOLVER, localModels: new LoadedModels(), log: silentLogger })
await service.start()
await host.connect(peer.addrs[0])
directory.upsert({ v: 1, peerId: peer.peerId, addrs: [], roots: [ROOT.slice(2)], serves: [{ model: '1', version: '1' }], load: 0.5, priceWeiPer1kTokens: '0', seqno: 1, timestamp: Date.now() })
const target = await RESOLVER.resolve('bench')
const engine = await createInferenceEngine({ path, contentRoot: ROOT }, { threads: 1, sequences: 1, contextSize: 512 })
for (let run = 0; run < Number(process.env.RUNS ?? 6); run++) {
  let n = 0, first = 0
  for await (const c of service.router.generate(target as any, { input: { kind: "completion", prompt: `run ${run} the quick brown fox` }, params: { maxTokens: 400, temperature: 0.8, topP: 1, seed: run, stop: [] } } as any, {})) { if (first === 0) first = performance.now(); n += c.tokens.length }
  console.log('front sees', n, ((n - 1) * 1000 / (performance.now() - first)).toFixed(0), 'tok/s')
  n = 0; first = 0
  for await (const c of engine.generate({ prompt: `run ${run} the quick brown fox`, maxTokens: 400, temperature: 0.8, topP: 1, seed: run })) { if (first === 0) first = performance.now(); n += c.tokens.length }
  console.log('in-process engine', n, ((n - 1) * 1000 / (performance.now() - first)).toFixed(0), 'tok/s')
}
child.stdin!.end(); await new Promise((r) => child.once('exit', r)); await host.stop(); process.exit(0)
