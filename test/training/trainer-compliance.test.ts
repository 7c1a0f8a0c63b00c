import { describe } from 'node:test'
import { fileURLToPath } from 'node:url'
import { BUNDLED_CORPUS_PATH } from '../../src/training/data/constants.ts'
import { loadCorpus } from '../../src/training/data/corpus-loader.ts'
import { splitCorpus } from '../../src/training/data/corpus-split.ts'
import { toTokenDataset } from '../../src/training/data/token-dataset.ts'
import { createSubprocessTrainer, createTfjsTrainer } from '../../src/training/index.ts'
import { trainerComplianceTests } from './trainer-compliance.ts'

const { train, heldOut } = splitCorpus(await loadCorpus(BUNDLED_CORPUS_PATH))
const data = { train: toTokenDataset(train), heldOut: toTokenDataset(heldOut) }

describe('Trainer compliance: built-in tfjs trainer', () => {
  trainerComplianceTests({
    name: 'tfjs',
    create: () => createTfjsTrainer({ config: { nEmbd: 32, nLayer: 1, nHead: 2, nFf: 96 }, seed: 1 }),
    ...data,
    hyper: { steps: 12, batchSize: 8, seqLen: 32, learningRate: 1e-2 },
  })
})

describe('Trainer compliance: subprocess trainer (bigram fixture)', () => {
  trainerComplianceTests({
    name: 'subprocess',
    create: () =>
      createSubprocessTrainer({
        command: process.execPath,
        args: ['--import', 'tsx', fileURLToPath(new URL('./fixtures/bigram-trainer.ts', import.meta.url))],
      }),
    ...data,
    hyper: { steps: 12, batchSize: 8, seqLen: 32, learningRate: 20 },
  })
})
