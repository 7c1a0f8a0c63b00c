import { api } from './api.js'
import { useEffect, useState } from './vendor/hooks.js'

/**
 * Loads `path` (GET) and reloads it whenever `dep` changes (e.g. the live head or a topic), so the view
 * follows the chain. `{ data, error, status }`; a 404 gives `status: 404` (an endpoint this node lacks).
 */
export function useData(path, dep) {
  const [state, setState] = useState({ data: undefined, error: undefined, status: undefined })
  useEffect(() => {
    if (!path) return
    let live = true
    api(path)
      .then((data) => live && setState({ data, error: undefined, status: 200 }))
      .catch((err) => live && setState((s) => ({ data: s.data, error: err.message, status: err.status })))
    return () => {
      live = false
    }
  }, [path, dep])
  return state
}
