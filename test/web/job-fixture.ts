/**
 * A training job as a participant's training service persists it (`<data>/training/<id>/job.json`) after
 * two committed rounds with DP noise (multiplier 1.1): three members in round 1, the third missing from
 * round 2. Contributions follow the `examples` rule: 120 + 100, 80 + 90, 40.
 */
export function persistedJob(jobId: string, participants: { peerId: string; address: string }[]) {
  const round = (n: number, who: number[], amounts: number[]) => ({
    round: n,
    modelHash: `0x${String(n).repeat(64)}`,
    members: who.map((i) => participants[i]!.peerId),
    dropped: [],
    contributions: who.map((i, k) => ({ ...participants[i]!, amount: String(amounts[k]) })),
    meanLoss: 5 - n,
  })
  return {
    jobId,
    spec: {
      modelId: '1',
      baseContentRoot: `0x${'ab'.repeat(32)}`,
      strategy: { kind: 'fedavg' },
      privacy: { clipNorm: 1, noiseMultiplier: 1.1 },
      participants,
      coordinator: participants[1]!.peerId,
      rounds: 2,
      local: { steps: 5, batchSize: 4, seqLen: 32, learningRate: 1e-3 },
      contribution: { rule: 'examples', sharesToMint: '1000' },
    },
    role: 'participant',
    status: 'finished',
    committedRounds: 2,
    global: { round: 2, hash: `0x${'2'.repeat(64)}`, layout: [] },
    history: [round(1, [0, 1, 2], [120, 80, 40]), round(2, [0, 1], [100, 90])],
  }
}
