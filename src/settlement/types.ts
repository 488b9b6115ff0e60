import type { LedgerKind, RoleName } from '../contracts/model.js';

/** One settlement period: a delivery interval or a charging session. Times are RFC 3339 UTC. */
export interface SettlementPeriod {
  readonly start: string;
  readonly end: string;
  /** Interval index of the run (0-based); sessions use the index of the interval they end in. */
  readonly index: number;
}

/**
 * One ledger line: under one contract and for one period, `payer` pays `payee` `amountMinor`
 * (≥ 0, in minor units of `currency`) for `quantity` `unit` at `ratePerUnit`.
 *
 * Quantity and rate are magnitudes (≥ 0). When the flow's formulas gave a negative product, the
 * payer and payee are those of the flow swapped and `reversed` is true; the signed values stay
 * visible in `inputs`.
 */
export interface SettlementLine {
  readonly contractId: string;
  readonly period: SettlementPeriod;
  readonly flowId: string;
  readonly kind: LedgerKind;
  /** Party id that fills the paying role. */
  readonly payer: string;
  readonly payee: string;
  readonly payerRole: RoleName;
  readonly payeeRole: RoleName;
  readonly reversed: boolean;
  readonly quantity: number;
  readonly unit: string;
  /** Money per unit of quantity, in `currency`. */
  readonly ratePerUnit: number;
  /** Amount in minor units (e.g. paise for INR), rounded once by the rule of `money.ts`. */
  readonly amountMinor: bigint;
  readonly currency: string;
  /** `quantity × rate` as formula text, e.g. `roles.PROSUMER.clearedKWh * signals["market-clearing-price"]`. */
  readonly formula: string;
  /** Every reference the flow read and its value (booleans as 1/0). */
  readonly inputs: Readonly<Record<string, number>>;
}
