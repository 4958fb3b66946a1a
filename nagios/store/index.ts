// PostgreSQL storage of Nagios host states and the down intervals read from them.
export { storeHostStates, hostStatesFor, type StoredStates } from './host-states.js';
export { downIntervalsFor, availabilityOver, type ServerAvailability } from './intervals.js';
export { customersAffectedByStates } from './affected.js';
export { nagiosDraftRecompute, type NagiosWiring } from './recompute.js';
