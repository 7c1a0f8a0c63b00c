import { api } from './api.js'

/** Whether the browser has an EIP-1193 wallet (`window.ethereum`). */
export const hasWallet = () => typeof window.ethereum?.request === 'function'

/**
 * Votes with the browser wallet: the wallet signs the governor's EIP-712 ballot (no transaction, no gas),
 * and this node relays it with `castVoteWithReasonAndParamsBySig`, paying the gas.
 */
export async function walletVote(ref, support, reason) {
  const [voter] = await window.ethereum.request({ method: 'eth_requestAccounts' })
  if (!voter) throw new Error('The wallet gave no account.')
  const q = new URLSearchParams({ voter, support, reason })
  const ballot = await api(`/api/proposals/${ref}/ballot?${q}`)
  const signature = await window.ethereum.request({
    method: 'eth_signTypedData_v4',
    params: [voter, JSON.stringify(ballot)],
  })
  return api(`/api/proposals/${ref}/vote-by-sig`, { voter, support, reason, signature })
}
