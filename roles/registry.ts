// Every role `meterline run` starts, in start order (stopped in reverse). A role's issue adds
// one line here.
import type { Role } from './role.js';
import { ingestRole } from '../pipeline/ingest/role.js';
import { apiRole } from '../api/role.js';
import { aggregateRole } from '../pipeline/aggregate/index.js';
import { sinkRole } from '../sinks/index.js';
import { rateRole } from '../invoicing/role.js';

export const ROLES: readonly Role[] = [ingestRole(), aggregateRole(), sinkRole(), rateRole(), apiRole()];
