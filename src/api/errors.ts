import { UnavailableError } from '../errors.ts'

/** The live event stream has as many subscribers as it serves; a page retries later. */
export class EventStreamFullError extends UnavailableError {}

/** The node relays only so many signed votes a minute (it pays their gas). */
export class VoteRelayBusyError extends UnavailableError {}
