/**
 * Resolves on the first SIGINT or SIGTERM and keeps handling later ones. Ctrl-C reaches every process in
 * the terminal's group, and npm forwards it once more: a second signal must not kill the process while it
 * saves the chain and stops anvil (Node's default action would, leaving anvil behind).
 */
export function untilStopSignal(onRepeat: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let received = false
    const onSignal = () => {
      if (received) return onRepeat()
      received = true
      resolve()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}
