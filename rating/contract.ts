// Contract overrides (SPEC §6.6): for one customer, a plan's base_fee and any charge (matched
// by meter) may be replaced. The result is an ordinary Plan, so rating never branches on
// whether a price came from the plan or the contract. Charge order stays the plan's, and a
// contract charge for a meter the plan does not charge is appended after them.
import type { Customer, Plan } from '../catalog/types.js';

export function effectivePlan(plan: Plan, customer: Customer | undefined): Plan {
  const o = customer?.contract.overrides[plan.name];
  if (!o) return plan;
  const replaced = new Map((o.charges ?? []).map((c) => [c.meter, c]));
  const charges = plan.charges.map((c) => replaced.get(c.meter) ?? c);
  for (const c of o.charges ?? []) if (!plan.charges.some((p) => p.meter === c.meter)) charges.push(c);
  const out: Plan = { ...plan, charges };
  if (o.baseFee) out.baseFee = o.baseFee;
  return out;
}
