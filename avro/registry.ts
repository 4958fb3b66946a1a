// Picks the serde from configuration: Confluent wire format through the configured Schema
// Registry (Confluent's client; it speaks Apicurio's ccompat API too), else single-object.
// The registry client is imported only when configured, and only its client module: the
// package's index also loads its cloud-KMS and gRPC modules (measured: +81 MiB RSS per role for
// the index, +33 MiB for the client module alone).
import type { Config } from '../config/env.js';
import { plainSerde, registrySerde, type AvroSerde, type RegistryClient } from './serde.js';

export async function createRegistryClient(registry: NonNullable<Config['schemaRegistry']>): Promise<RegistryClient> {
  const { SchemaRegistryClient } = await import('@confluentinc/schemaregistry/dist/schemaregistry-client.js');
  return new SchemaRegistryClient({
    baseURLs: [registry.url],
    ...(registry.username
      ? { basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: `${registry.username}:${registry.password ?? ''}` } }
      : {}),
    cacheCapacity: 1000,
    maxRetries: 2,
    retriesWaitMs: 200,
    retriesMaxWaitMs: 2000,
  });
}

export async function createSerde(config: Pick<Config, 'schemaRegistry'>): Promise<AvroSerde> {
  return config.schemaRegistry ? registrySerde(await createRegistryClient(config.schemaRegistry)) : plainSerde();
}
