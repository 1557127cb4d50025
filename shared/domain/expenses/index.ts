/** The expense domain: model, lifecycle, categories, policy, approval chains, signed links, reimbursements. */
export * from './approval-chain.ts';
export * from './approval-link.ts';
export * from './approval-reducer.ts';
export * from './approval-reminders.ts';
export * from './audit.ts';
export * from './categories.ts';
export * from './expense.ts';
export * from './holidays.ts';
export * from './iban.ts';
export * from './lifecycle.ts';
export * from './mileage.ts';
export * from './mileage-scale.ts';
export * from './per-diem.ts';
export * from './policy.ts';
export * from './sepa.ts';
