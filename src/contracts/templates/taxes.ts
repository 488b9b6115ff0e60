import { fail, ok, type Diagnostic, type Result } from '../../diagnostics.js';
import type { EnergyContract, RevenueFlow, RoleName } from '../model.js';
import { param, role } from './common.js';

/** Taxes and duties that a government levies on some flows of a contract. */
export interface TaxOptions {
  /** Party id of the tax authority; fills the GOVERNMENT role. */
  readonly government: string;
  /** Role that pays the taxes, e.g. the customer or the prosumer. */
  readonly payer: RoleName;
  /** Ad-valorem tax: a percentage of the amount of each listed flow (e.g. 18 % GST on fees). */
  readonly percent?: { readonly ratePercent: number; readonly onFlows: readonly string[] };
  /** A duty per unit of the quantity of each listed flow (e.g. an electricity duty per kWh). */
  readonly duty?: { readonly ratePerUnit: number; readonly onFlows: readonly string[] };
}

/**
 * Adds a GOVERNMENT role and one tax line per taxed flow to a contract:
 * - `tax-<flow>`: payer → GOVERNMENT, |quantity × rate of the flow| × ratePercent / 100;
 * - `duty-<flow>`: payer → GOVERNMENT, |quantity of the flow| × duty rate, in the flow's unit.
 * A tax line carries the taxed flow's condition. The percentage applies to the flow's exact
 * (unrounded) amount, so it is one rounding, not two. Parameters `taxPercent` and
 * `dutyPerUnit` hold the rates.
 */
export function withTaxes(contract: EnergyContract, options: TaxOptions): Result<EnergyContract> {
  const errors: Diagnostic[] = [];
  const flows = new Map(contract.revenueFlows.flows.map((f) => [f.flowId, f] as const));
  const taxed = (ids: readonly string[], what: string): RevenueFlow[] =>
    ids.flatMap((id) => {
      const f = flows.get(id);
      if (f === undefined) {
        errors.push({ code: 'template.tax', path: 'onFlows', message: `contract ${contract.contractId}: ${what} on flow ${id}, which the contract does not have` });
        return [];
      }
      return [f];
    });
  if (contract.roles.some((r) => r.role === 'GOVERNMENT')) {
    errors.push({ code: 'template.tax', path: 'roles', message: `contract ${contract.contractId} already has a GOVERNMENT role` });
  }
  if (!contract.roles.some((r) => r.role === options.payer)) {
    errors.push({ code: 'template.tax', path: 'payer', message: `contract ${contract.contractId} has no ${options.payer} role to pay the taxes` });
  }
  const added: RevenueFlow[] = [];
  const cond = (f: RevenueFlow): { condition?: string } => (f.condition === undefined ? {} : { condition: f.condition });
  for (const f of taxed(options.percent?.onFlows ?? [], 'tax')) {
    added.push({
      flowId: `tax-${f.flowId}`,
      kind: 'tax',
      from: options.payer,
      to: 'GOVERNMENT',
      quantity: `abs((${f.quantity}) * (${f.rate}))`,
      unit: contract.currency,
      rate: 'params.taxPercent / 100',
      ...cond(f),
      description: `tax on the amount of flow ${f.flowId}`,
    });
  }
  for (const f of taxed(options.duty?.onFlows ?? [], 'duty')) {
    added.push({
      flowId: `duty-${f.flowId}`,
      kind: 'tax',
      from: options.payer,
      to: 'GOVERNMENT',
      quantity: `abs(${f.quantity})`,
      unit: f.unit,
      rate: 'params.dutyPerUnit',
      ...cond(f),
      description: `duty per ${f.unit} of flow ${f.flowId}`,
    });
  }
  if (errors.length > 0) return fail(errors);
  const params = { ...(contract.inputParameters ?? {}) };
  if (options.percent !== undefined) params.taxPercent = param(options.percent.ratePercent, '%', 'tax rate on the amount of the taxed flows');
  if (options.duty !== undefined) params.dutyPerUnit = param(options.duty.ratePerUnit, `${contract.currency}/unit`, 'duty per unit of the taxed flows');
  return ok({
    ...contract,
    roles: [...contract.roles, role('GOVERNMENT', options.government, {})],
    inputParameters: params,
    revenueFlows: { netZero: true, flows: [...contract.revenueFlows.flows, ...added] },
  });
}
