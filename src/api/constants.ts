/** Largest JSON body the Commons REST routes accept. */
export const MAX_JSON_BODY_BYTES = 256 * 1024
