// Route specs → guard, validation and the OpenAPI document.
export { defineRoute, type RouteSpec, type Access, type Method, type BodySpec } from './spec.js';
export { OPS_ROUTES, INGEST_ROUTES, API_ROUTES, ALL_ROUTES } from './routes.js';
export { validateRequest } from './validate.js';
export { openApiDocument, openApiPath } from './document.js';
