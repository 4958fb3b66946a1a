// Access control for the whole API: the guard each RouteSpec gets (401/403 by role) and the
// customer scoping helpers routes use to force a customer key's filter from the key itself.
export { accessGuard, guardRoutes } from './guard.js';
export { customerServerRanges, type Range } from './scope.js';
export { confinedCustomer } from '../auth/middleware.js';
