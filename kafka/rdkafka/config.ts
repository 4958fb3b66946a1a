// librdkafka's global properties from Config.kafka, so the roles that produce through
// node-rdkafka honour the same brokers, TLS (CA, mutual-TLS cert/key as PEM text) and SASL
// (PLAIN, SCRAM-SHA-256/512) settings as the kafkajs client built in ../client.ts.
import type { KafkaConfig } from '../../config/env.js';

/** librdkafka global configuration properties (a plain record: node-rdkafka passes them through). */
export type RdkafkaGlobalConfig = Record<string, string | number | boolean>;

const MECHANISMS = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

export function rdkafkaSecurity(cfg: KafkaConfig): RdkafkaGlobalConfig {
  const out: RdkafkaGlobalConfig = {};
  const tls = cfg.ssl !== false;
  out['security.protocol'] = cfg.sasl ? (tls ? 'sasl_ssl' : 'sasl_plaintext') : tls ? 'ssl' : 'plaintext';
  if (cfg.ssl !== false) {
    if (cfg.ssl.ca !== undefined) out['ssl.ca.pem'] = cfg.ssl.ca;
    if (cfg.ssl.cert !== undefined) out['ssl.certificate.pem'] = cfg.ssl.cert;
    if (cfg.ssl.key !== undefined) out['ssl.key.pem'] = cfg.ssl.key;
    out['enable.ssl.certificate.verification'] = cfg.ssl.rejectUnauthorized;
    // kafkajs (Node's TLS) checks the broker's host name when it verifies; librdkafka only when asked.
    if (cfg.ssl.rejectUnauthorized) out['ssl.endpoint.identification.algorithm'] = 'https';
  }
  if (cfg.sasl) {
    out['sasl.mechanisms'] = MECHANISMS[cfg.sasl.mechanism];
    out['sasl.username'] = cfg.sasl.username;
    out['sasl.password'] = cfg.sasl.password;
  }
  return out;
}

/** Brokers, client id (`meterline-<role>` like the kafkajs client) and security. */
export function rdkafkaBase(cfg: KafkaConfig, role?: string): RdkafkaGlobalConfig {
  return {
    'metadata.broker.list': cfg.brokers.join(','),
    'client.id': role ? `${cfg.clientId}-${role}` : cfg.clientId,
    ...rdkafkaSecurity(cfg),
  };
}
