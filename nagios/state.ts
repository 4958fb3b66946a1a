// Host state events, whatever they were read from (nagios.log, Statusengine JSON).

export type HostState = 'UP' | 'DOWN' | 'UNREACHABLE';

export interface HostStateEvent {
  /** The Nagios host name (mapped to a server id later, with the catalogue's `hosts`). */
  host: string;
  state: HostState;
  /** HARD state; SOFT states never open or close a down interval. */
  hard: boolean;
  /** Epoch milliseconds. */
  tsMs: number;
  /** Where it came from: HOST ALERT, CURRENT/INITIAL HOST STATE, or a Statusengine statechange. */
  source: 'alert' | 'current' | 'initial' | 'statusengine';
}

/** Nagios host state codes (statechange messages carry numbers). */
export const HOST_STATE_CODES: readonly HostState[] = ['UP', 'DOWN', 'UNREACHABLE'];
