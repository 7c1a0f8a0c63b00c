import htm from './vendor/htm.js'
import { h } from './vendor/preact.js'

/** JSX-like templates without a build step. */
export const html = htm.bind(h)
