import { runFederatedBench } from './federated.ts'

for (let i = 0; i < 2; i++) {
  const rows = await runFederatedBench({ fedavgParams: 1000, fedavgUpdates: 2, repeats: 7 })
  console.log(
    rows
      .filter((r) => r.name.startsWith('unmask'))
      .map((r) => `${r.name.slice(0, 30)} ${r.ms.toFixed(1)}ms ${r.ratio!.toFixed(2)}x`)
      .join(' | '),
  )
}
