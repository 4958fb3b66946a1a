// The catalogue (SPEC §3, §5) after validation: every amount and quantity an exact Decimal,
// every instant epoch milliseconds. Produced by catalog/load.ts; read by the pure
// aggregation and rating code, never mutated.
import type { Decimal } from '../lib/decimal.js';

export type MeterKind = 'delta' | 'counter' | 'gauge';
/** How a gauge becomes usage (SPEC §3); `count` and `unique` are offered for any kind. */
export type Aggregation = 'sum' | 'max' | 'min' | 'avg' | 'latest' | 'integral' | 'time_average' | 'count' | 'unique';

export interface Meter {
  name: string;
  /** The sample metric it reads. */
  metric: string;
  kind: MeterKind;
  /** delta and counter are always `sum`; a gauge names one of the others. */
  aggregation: Aggregation;
  /** Multiplies the raw value first (default 1). */
  factor: Decimal;
  unit: string;
  /** `integral`: Σ value × interval_s ÷ per_seconds (default 3600). */
  perSeconds: Decimal;
  /** Seconds a sample stands for when it carries no interval_s (default 60). */
  intervalS: Decimal;
  /** `unique`: the label whose distinct values are counted. */
  label?: string;
}

export interface Tier {
  /** null = no upper bound. */
  upTo: Decimal | null;
  unitPrice: Decimal;
  flatFee?: Decimal;
}

export type ChargeModel = 'per_unit' | 'graduated' | 'volume' | 'package';

export interface Charge {
  meter: string;
  model: ChargeModel;
  freeUnits: Decimal;
  unitPrice?: Decimal; // per_unit
  tiers?: Tier[]; // graduated, volume
  packageSize?: Decimal; // package
  packagePrice?: Decimal; // package
}

export interface BaseFee {
  amount: Decimal;
  per: 'hour' | 'month';
}

export interface SlaCredit {
  /** Availability percent threshold: a credit applies when availability < below. */
  below: Decimal;
  creditPct: Decimal;
}

export interface Plan {
  name: string;
  baseFee?: BaseFee;
  charges: Charge[];
  sla?: { credits: SlaCredit[] };
}

export interface PlanOverride {
  baseFee?: BaseFee;
  /** Replace the plan's charge of the same meter (or add one). */
  charges?: Charge[];
}

export interface Contract {
  overrides: Record<string, PlanOverride>;
  discountPct?: Decimal;
  minimumCommit?: Decimal;
}

export interface Customer {
  id: string;
  currency: string;
  contract: Contract;
}

export interface Subscription {
  /** Stable id: from the database, or `<server_id>@<from ISO>` for catalogue-file entries. */
  id: string;
  serverId: string;
  customer: string;
  plan: string;
  fromMs: number;
  /** Exclusive; undefined = open-ended. */
  toMs?: number;
}

export interface Catalog {
  currency: string;
  /** ISO 4217 minor-unit digits of `currency` (JPY 0, USD 2, BHD 3). */
  minorDigits: number;
  /** IANA zone of billing-period boundaries. */
  timezone: string;
  meters: Record<string, Meter>;
  plans: Record<string, Plan>;
  customers: Record<string, Customer>;
  subscriptions: Subscription[];
  /** Nagios HOSTNAME → server_id (default: equal names). */
  hosts: Record<string, string>;
  /** sha256 of the file's bytes: the version of plans and meters (SPEC §10). */
  contentHash: string;
}
