import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ChainWriter, DatasetRecord } from '../../src/chain/index.ts'
import { purposeId } from '../../src/chain/index.ts'
import { contributionVerifier } from '../../src/federated/contribution-signature.ts'
import { contributionByDataset } from '../../src/federated/contribution-split.ts'
import { selectDatasets } from '../../src/federated/dataset-selection.ts'
import { datasetRefusal } from '../../src/federated/dataset-terms.ts'
import type { TrainingJobSpec } from '../../src/federated/job-spec.ts'
import type { ConfigureMessage, MaskedMessage } from '../../src/federated/messages.ts'

const OWNER = '0x00000000000000000000000000000000000000a1'
const OTHER = '0x00000000000000000000000000000000000000b2'
const record = (over: Partial<DatasetRecord> = {}): DatasetRecord => ({
  id: 1n,
  owner: OWNER,
  manifestRoot: `0x${'11'.repeat(32)}`,
  licence: 'CC-BY-4.0',
  consentUri: 'https://example.org/c',
  consentHash: `0x${'22'.repeat(32)}`,
  purposes: [purposeId('research')],
  registeredAt: 1n,
  withdrawnAt: 0n,
  ...over,
})
const data = { purpose: 'Research', datasets: ['1', '2'] }

test('a member may train on a dataset only if the job names it, it owns or is licensed to it, it is offered and its consent allows the purpose', () => {
  assert.equal(datasetRefusal(data, { record: record(), licensed: false }, OWNER), undefined)
  assert.equal(datasetRefusal(data, { record: record(), licensed: true }, OTHER), undefined)
  const cases: [string, string | undefined][] = [
    ['not named', datasetRefusal(data, { record: record({ id: 3n }), licensed: false }, OWNER)],
    ['withdrawn', datasetRefusal(data, { record: record({ withdrawnAt: 5n }), licensed: false }, OWNER)],
    ['no licence', datasetRefusal(data, { record: record(), licensed: false }, OTHER)],
    [
      'purpose',
      datasetRefusal({ ...data, purpose: 'marketing' }, { record: record(), licensed: false }, OWNER),
    ],
  ]
  assert.match(cases[0]![1]!, /dataset 3 is not one of the job's datasets \(1, 2\)/)
  assert.match(cases[1]![1]!, /dataset 1 was withdrawn by its owner/)
  assert.match(cases[2]![1]!, /granted 0x0+b2 no licence/)
  assert.match(cases[3]![1]!, /do not allow the purpose "marketing"/)
})

test('selection keeps the usable datasets, refuses with every reason when none is left, and keeps registered data out of jobs without terms', async () => {
  const part = (id: bigint, n: number) => ({ id, train: { tokens: new Uint16Array(n).fill(Number(id)) } })
  const local = { train: { tokens: new Uint16Array(0) }, datasets: [part(1n, 30), part(2n, 10)] }
  const spec = { data } as TrainingJobSpec
  const picked = await selectDatasets(spec, local, async (ids) =>
    ids.map((id) => (id === 2n ? 'withdrawn' : undefined)),
  )
  assert.deepEqual(picked.parts, [{ id: 1n, tokens: 30 }])
  assert.equal(picked.train.tokens.length, 30)
  assert.deepEqual(picked.refused, ['withdrawn'])
  const both = await selectDatasets(spec, local, async (ids) => ids.map(() => undefined))
  assert.equal(both.train.tokens.length, 40)
  await assert.rejects(
    selectDatasets(spec, local, async () => ['no licence', 'withdrawn']),
    (e: Error) => e.name === 'DatasetUseRefusedError' && /no licence; withdrawn/.test(e.message),
  )
  await assert.rejects(
    selectDatasets({} as TrainingJobSpec, local, async () => []),
    { name: 'DatasetUseRefusedError' },
  )
  await assert.rejects(
    selectDatasets(spec, { train: local.train }, async () => []),
    /--dataset <id>=<path>/,
  )
  const plain = await selectDatasets({} as TrainingJobSpec, { train: local.train }, async () => [])
  assert.equal(plain.parts, undefined)
})

test('a contribution is split over datasets by training tokens, summing exactly to the amount, ids increasing', () => {
  assert.deepEqual(
    contributionByDataset(10n, [
      { id: 2n, tokens: 300 },
      { id: 1n, tokens: 100 },
    ]),
    { ids: [1n, 2n], amounts: [2n, 8n] },
  )
  const split = contributionByDataset(1001n, [
    { id: 5n, tokens: 7 },
    { id: 3n, tokens: 11 },
    { id: 9n, tokens: 13 },
  ])
  assert.equal(
    split.amounts.reduce((a, b) => a + b, 0n),
    1001n,
  )
  // One unit (equal-per-round) goes whole to the largest dataset; zero parts are left out (the ledger refuses them).
  assert.deepEqual(
    contributionByDataset(1n, [
      { id: 1n, tokens: 5 },
      { id: 2n, tokens: 9 },
    ]),
    { ids: [2n], amounts: [1n] },
  )
  assert.deepEqual(contributionByDataset(4n, []), { ids: [], amounts: [] })
})

test('the coordinator drops an upload that claims a dataset the job does not name, before checking its signature', async () => {
  const verify = contributionVerifier({} as ChainWriter)
  const cfg = {
    jobId: '1',
    round: 1,
    globalHash: `0x${'33'.repeat(32)}`,
    spec: { data, contribution: { rule: 'examples' } },
  } as unknown as ConfigureMessage
  const msg = {
    numExamples: 8,
    contributionSignature: `0x${'44'.repeat(65)}`,
    datasets: { ids: ['7'], amounts: ['8'] },
  } as unknown as MaskedMessage
  await assert.rejects(verify('peer', cfg, msg), /claims dataset 7, which job 1 does not name/)
})
