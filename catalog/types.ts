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

/** Who the invoices are addressed to (SPEC §12.1); printed on every document. */
export interface BillingDetails {
  name: string;
  /** Address lines; empty when none were given. */
  address: string[];
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  vatId?: string;
  email?: string;
}

/**
 * A customer's tax treatment (SPEC §12.1): a key of the catalogue's `taxes`, or `exempt` (no tax
 * line), or `reverse_charge` (a zero tax line; requires billing.vat_id). Absent = no tax at all.
 */
export type CustomerTax = string;
export const TAX_EXEMPT = 'exempt';
export const TAX_REVERSE_CHARGE = 'reverse_charge';

export interface Customer {
  id: string;
  currency: string;
  contract: Contract;
  billing?: BillingDetails;
  tax?: CustomerTax;
  /** SPEC §13 usage alerts; absent or empty = none. */
  alerts?: UsageAlert[];
}

/** A usage alert threshold (SPEC §13): on the draft's amount, or on one meter's quantity. */
export type UsageAlert =
  | { kind: 'amount'; threshold: Decimal; text: string }
  | { kind: 'meter'; meter: string; threshold: Decimal; text: string };

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

/** One tax of `taxes:` (SPEC §12.1). */
export interface TaxRate {
  /** The key under `taxes:` (the tax line's `code`). */
  code: string;
  /** Percent, exact ("19", "7.7"). */
  rate: Decimal;
  /** Printed name ("USt."); defaults to the key. */
  name: string;
}

/** Number formats: {YYYY} = year of the period, {SEQ} or {SEQ:n} = the sequence, n digits zero-padded. */
export const DEFAULT_INVOICE_NUMBER = 'ML-{YYYY}-{SEQ:6}';
export const DEFAULT_CREDIT_NOTE_NUMBER = 'CN-{YYYY}-{SEQ:6}';

/** Who issues the invoices (SPEC §12.1). */
export interface Issuer {
  name: string;
  /** Address lines; empty when none were given. */
  address: string[];
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  vatId?: string;
  /** Always set (the default when the file has none). */
  invoiceNumber: string;
  creditNoteNumber: string;
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
  /** `issuer:` when the file has one. */
  issuer?: Issuer;
  /** `taxes:` by key (empty when the file has none). */
  taxes: Record<string, TaxRate>;
  /** Nagios HOSTNAME → server_id (default: equal names). */
  hosts: Record<string, string>;
  /** sha256 of the file's bytes: the version of plans and meters (SPEC §10). */
  contentHash: string;
}

/** The invoice and credit-note number formats in force: the issuer's, else the defaults. */
export const numberFormats = (catalog: Pick<Catalog, 'issuer'>): { invoice: string; creditNote: string } => ({
  invoice: catalog.issuer?.invoiceNumber ?? DEFAULT_INVOICE_NUMBER,
  creditNote: catalog.issuer?.creditNoteNumber ?? DEFAULT_CREDIT_NOTE_NUMBER,
});
