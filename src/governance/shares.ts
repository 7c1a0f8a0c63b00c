import { formatEther } from 'viem'
import { delegateVotes, getShares, listShareHolders } from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'
import {
  type CapTableInput,
  capTableInput,
  type DelegateInput,
  delegateInput,
  parseInput,
  type SharesInput,
  sharesInput,
} from './schemas.ts'

/** An account's shares, voting power, delegate and percentage of a model. */
export async function shares(c: GovernanceContext, input: SharesInput) {
  const p = parseInput(sharesInput, input)
  const model = await c.directory.ref(p.model)
  const account = await c.directory.address(p.account)
  const s = await getShares(c.reader, { shares: model.shares, account })
  return {
    model: model.name,
    modelId: model.id.toString(),
    account,
    shares: formatEther(s.balance),
    votes: formatEther(s.votes),
    delegate: s.delegate,
    percent: s.totalSupply === 0n ? 0 : Number((s.balance * 10_000n) / s.totalSupply) / 100,
  }
}

/** Moves the sender's voting power in a model to a delegate (shares stay where they are). */
export async function delegate(c: GovernanceContext, input: DelegateInput) {
  const p = parseInput(delegateInput, input)
  const model = await c.directory.ref(p.model)
  const to = await c.directory.address(p.to)
  const writer = await c.writerFor(p.account)
  const tx = await delegateVotes(writer, { shares: model.shares, delegatee: to })
  return {
    ...(await shares(c, { model: p.model, account: writer.wallet.account.address })),
    transactionHash: tx,
  }
}

/** A model's whole cap table: every holder and every delegate voting with others' shares, largest first. */
export async function capTable(c: GovernanceContext, input: CapTableInput) {
  const p = parseInput(capTableInput, input)
  const model = await c.directory.ref(p.model)
  const block = await c.reader.public.getBlockNumber({ cacheTime: 0 })
  const read = () => listShareHolders(c.reader, { shares: model.shares, blockNumber: block })
  const { holders, totalSupply } = await (c.holders?.get(`${model.shares}:${block}`, read) ?? read())
  return {
    model: model.name,
    modelId: model.id.toString(),
    totalShares: formatEther(totalSupply),
    holders: holders.map((h) => ({
      account: h.account,
      shares: formatEther(h.balance),
      votes: formatEther(h.votes),
      delegate: h.delegate,
      percent: totalSupply === 0n ? 0 : Number((h.balance * 10_000n) / totalSupply) / 100,
    })),
  }
}
