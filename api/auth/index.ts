// API key authentication for every HTTP route (see middleware.ts).
export { apiKeyAuth, confinedCustomer, type AuthEnv, type ApiKeyAuthOptions } from './middleware.js';
export { cachedKeyLookup, DEFAULT_KEY_CACHE_TTL_MS, type KeyLookup } from './cache.js';
export { generateKey, hashSecret, KEY_ROLES, isKeyRole, type ApiKey, type KeyRole } from './keys.js';
export { memoryKeyStore, issueKey, type KeyStore, type NewKey } from './store.js';
export { pgKeyStore } from './pg-store.js';
