import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { sumKeystreamsInWorker } from '../../../src/aggregation/kernels/keystream-sum-worker.ts'
import { WrappingAccumulator } from '../../../src/aggregation/kernels/wrapping-add.ts'
import { addKeystream } from '../../../src/aggregation/secagg/keystream.ts'
import { runLocalSecureAggregation } from './local-round.ts'

// The coordinator sums half of the unmasking keystreams in a worker thread: its result must equal the
// same keystreams summed on the calling thread, word for word, whatever the signs and the length.

test('the worker sums keystreams exactly as the calling thread does (mixed signs, odd length, twice)', async () => {
  const words = 300_001
  const masks = [1, -1, -1, 1, -1].map((sign) => ({
    key: new Uint8Array(randomBytes(32)),
    sign: sign as 1 | -1,
  }))
  const expected = new WrappingAccumulator(words)
  for (const m of masks) addKeystream(expected, m.key, m.sign)
  const want = expected.take()
  for (let run = 0; run < 2; run++) {
    let got: Uint32Array | undefined
    await sumKeystreamsInWorker(masks, words, (sum) => {
      got = sum.slice()
    })
    assert.equal(got!.length, words)
    assert.ok(
      got!.every((x, i) => x === want[i]),
      'the worker sum differs',
    )
  }
})

test('a round large enough for the worker path unmasks to the exact sum, with two dropouts', async () => {
  const length = 1_100_003
  const ids = ['a', 'b', 'c', 'd', 'e', 'f']
  const inputs = new Map(
    ids.map((id, k) => [id, Uint32Array.from({ length }, (_, i) => (i * 2654435761 + k) >>> 0)]),
  )
  const { sum, contributors } = await runLocalSecureAggregation(inputs, {
    roundId: 'worker-round',
    threshold: 4,
    dropBeforeUpload: ['b', 'e'],
  })
  assert.deepEqual(contributors, ['a', 'c', 'd', 'f'])
  assertPlainSum(sum, inputs, contributors, 'the unmasked sum differs from the plain sum')
})

/** Asserts `sum` is the plain sum mod 2^32 of the contributors' inputs. */
function assertPlainSum(
  sum: Uint32Array,
  inputs: ReadonlyMap<string, Uint32Array>,
  contributors: readonly string[],
  message: string,
): void {
  const want = new Uint32Array(sum.length)
  for (const id of contributors) {
    const x = inputs.get(id)!
    for (let i = 0; i < sum.length; i++) want[i] = (want[i]! + x[i]!) >>> 0
  }
  assert.ok(
    sum.every((x, i) => x === want[i]),
    message,
  )
}

test('a cheating survivor (a bad share of a dropped key) fails the round while the worker runs; the next round is exact', async () => {
  const length = 1_100_003
  const ids = ['a', 'b', 'c', 'd', 'e', 'f']
  const inputs = new Map(
    ids.map((id, k) => [id, Uint32Array.from({ length }, (_, i) => (i * 40503 + k) >>> 0)]),
  )
  // The survivors' self masks go to the worker before the dropped members' keys are reconstructed.
  await assert.rejects(
    runLocalSecureAggregation(inputs, {
      roundId: 'worker-cheat',
      threshold: 4,
      dropBeforeUpload: ['b', 'e'],
      tamperUnmask: (r) =>
        r.memberId !== 'a'
          ? r
          : {
              ...r,
              maskKeyShares: r.maskKeyShares.map((s) => ({
                ...s,
                share: s.share.map((x, i) => (i === 1 ? x ^ 1 : x)),
              })),
            },
    }),
    { name: 'SecAggReconstructionError' },
  )
  const { sum, contributors } = await runLocalSecureAggregation(inputs, {
    roundId: 'worker-after-cheat',
    threshold: 4,
    dropBeforeUpload: ['b', 'e'],
  })
  assertPlainSum(sum, inputs, contributors, 'the round after the failed one differs from the plain sum')
})
