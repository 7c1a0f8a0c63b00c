import * as tf from '@tensorflow/tfjs'

/**
 * `a @ b` whose gradient transposes its operands explicitly. TensorFlow.js's own MatMul gradient uses
 * the transposeA/transposeB flags, which fall off XNNPACK's fast path in the WASM backend (measured:
 * several times slower); materialising the transpose and multiplying plain matrices is cheaper.
 * Works for 2-D `[n, k] @ [k, m]` and batched 3-D `[b, n, k] @ [b, k, m]`.
 */
export const fastMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b])
  return {
    value: plainMatMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor]
      return [plainMatMul(dy, swapLast(sb)), plainMatMul(swapLast(sa), dy)]
    },
  }
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor

/**
 * Non-transposed matmul. 3-D operands stay one batched call: the WASM backend runs those off XNNPACK
 * (~10× slower per flop than 2-D), but slicing into 2-D matmuls was slower still (Slice/Unpack/Pack
 * copies cost more than they save at attention sizes).
 */
function plainMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)
}

function swapLast(x: tf.Tensor): tf.Tensor {
  return x.rank === 2 ? tf.transpose(x) : tf.transpose(x, [0, 2, 1])
}
