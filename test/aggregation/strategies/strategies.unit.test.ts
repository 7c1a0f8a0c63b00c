import { CoordinateMedian } from '../../../src/aggregation/strategies/coordinate-median.ts'
import { FedAdam } from '../../../src/aggregation/strategies/fedadam.ts'
import { FedAvg } from '../../../src/aggregation/strategies/fedavg.ts'
import { FedProx } from '../../../src/aggregation/strategies/fedprox.ts'
import { Krum } from '../../../src/aggregation/strategies/krum.ts'
import { TrimmedMean } from '../../../src/aggregation/strategies/trimmed-mean.ts'
import { strategyCompliance } from './strategy-compliance.ts'

strategyCompliance({ name: 'FedAvg', create: () => new FedAvg(), minUpdates: 1, appliesDelta: true })
strategyCompliance({
  name: 'FedProx',
  create: () => new FedProx({ proximalMu: 0.01 }),
  minUpdates: 1,
  appliesDelta: true,
})
strategyCompliance({ name: 'FedAdam', create: () => new FedAdam(), minUpdates: 1, appliesDelta: false })
strategyCompliance({
  name: 'TrimmedMean',
  create: () => new TrimmedMean({ beta: 0.2 }),
  minUpdates: 1,
  appliesDelta: true,
})
strategyCompliance({
  name: 'CoordinateMedian',
  create: () => new CoordinateMedian(),
  minUpdates: 1,
  appliesDelta: true,
})
strategyCompliance({ name: 'Krum', create: () => new Krum({ f: 1 }), minUpdates: 5, appliesDelta: true })
strategyCompliance({
  name: 'MultiKrum',
  create: () => new Krum({ f: 1, m: 3 }),
  minUpdates: 5,
  appliesDelta: true,
})
