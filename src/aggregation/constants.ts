/** Bytes per float32 parameter. */
export const BYTES_PER_PARAM = 4

/** FedAdam defaults from Reddi et al., "Adaptive Federated Optimization" (ICLR 2021). */
export const FEDADAM_DEFAULTS = { eta: 1e-2, beta1: 0.9, beta2: 0.99, tau: 1e-3 } as const

/** Floats per block in the weighted-sum kernel: 16 Ki floats = 64 KiB, so a block of 4 inputs stays in L2. */
export const WEIGHTED_SUM_BLOCK = 16384

/** HKDF info labels of secure aggregation; versioned so a format change cannot reuse old keys. */
export const SECAGG_LABELS = {
  pairwiseMask: 'model-commons/secagg/pairwise-mask/v1',
  selfMask: 'model-commons/secagg/self-mask/v1',
  shareChannel: 'model-commons/secagg/share-channel/v1',
} as const

/** Bytes of keystream generated per ChaCha20 call when masking: amortizes the call, stays in L2. */
export const KEYSTREAM_CHUNK_BYTES = 1 << 18

/**
 * Words per block of an unmasking pass (this thread's and the keystream worker's): the block of the sum,
 * one input or keystream chunk and the kernel's scratch copy fit in L2 together.
 */
export const UNMASK_BLOCK_WORDS = 1 << 14

/** RDP orders the accountant evaluates: fractional ones help small epsilon, integers allow subsampling. */
export const DEFAULT_RDP_ORDERS: readonly number[] = [
  1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 24, 28, 32, 40, 48, 56,
  64, 80, 96, 128, 192, 256, 512,
]
