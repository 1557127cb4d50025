import { z } from 'zod';
import { isValidFrenchVat, isValidSiren, isValidSiret } from './extraction/identifiers.ts';
import {
  EXPENSE_CATEGORIES as BOOKING_CATEGORIES,
  defaultLedgerSettings,
  type LedgerSettings,
} from './ledger/chart.ts';

/**
 * Legal entities of a group (each its own SIREN, currency and books) and their establishments (each its own SIRET).
 * Users belong to an entity; their expenses carry it, so lists, reports, approval rules and account overrides can
 * follow it.
 */
const digits = (label: string, n: number, valid: (s: string) => boolean) =>
  z
    .string()
    .transform((s) => s.replace(/\s/g, ''))
    .refine(valid, `not a valid ${label} (${n} digits, Luhn checksum)`);

export const establishmentSchema = z.strictObject({
  siret: digits('SIRET', 14, isValidSiret),
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().max(500).optional(),
  headOffice: z.boolean().default(false),
});

const accountingSchema = z.strictObject({
  /**
   * Expense account per booking category (meal, lodging, transport, fuel…) for this entity: overrides the PCG
   * default when its expenses are booked.
   */
  categoryAccounts: z
    .partialRecord(z.enum(BOOKING_CATEGORIES), z.string().regex(/^[1-8]\d{2,9}$/, 'a PCG account number'))
    .default({}),
  /** Code sent to the accounting system as the entity's analytic axis. */
  analyticCode: z.string().trim().min(1).max(40).optional(),
});

const entityFields = {
  name: z.string().trim().min(1).max(200),
  siren: digits('SIREN', 9, isValidSiren),
  vatNumber: z
    .string()
    .transform((s) => s.replace(/\s/g, '').toUpperCase())
    .optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default('FR'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code')
    .default('EUR'),
  accounting: accountingSchema.default({ categoryAccounts: {} }),
  establishments: z.array(establishmentSchema).max(500).default([]),
};

type EntityShape = {
  siren?: string;
  vatNumber?: string | undefined;
  country?: string;
  establishments?: { siret: string; headOffice: boolean }[];
};

/** Rules across fields: establishments belong to the entity's SIREN, one head office, a French VAT number checks. */
const checkEntity = (e: EntityShape, ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  (e.establishments ?? []).forEach((s, i) => {
    if (e.siren && !s.siret.startsWith(e.siren)) {
      ctx.addIssue({
        code: 'custom',
        path: ['establishments', i, 'siret'],
        message: `must start with the SIREN ${e.siren}`,
      });
    }
    if (seen.has(s.siret))
      ctx.addIssue({ code: 'custom', path: ['establishments', i, 'siret'], message: 'listed twice' });
    seen.add(s.siret);
  });
  if ((e.establishments ?? []).filter((s) => s.headOffice).length > 1) {
    ctx.addIssue({ code: 'custom', path: ['establishments'], message: 'one head office at most' });
  }
  if (e.vatNumber && (e.country ?? 'FR') === 'FR' && !isValidFrenchVat(e.vatNumber)) {
    ctx.addIssue({ code: 'custom', path: ['vatNumber'], message: 'not a valid French VAT number (FR + key + SIREN)' });
  }
  if (e.vatNumber && e.siren && e.vatNumber.startsWith('FR') && !e.vatNumber.endsWith(e.siren)) {
    ctx.addIssue({ code: 'custom', path: ['vatNumber'], message: 'does not carry the entity’s SIREN' });
  }
};

export const entityInputSchema = z.strictObject(entityFields).superRefine(checkEntity);
export type EntityInput = z.output<typeof entityInputSchema>;

export const entityPatchSchema = z
  .strictObject({
    name: entityFields.name,
    vatNumber: entityFields.vatNumber,
    currency: entityFields.currency,
    accounting: accountingSchema,
    establishments: z.array(establishmentSchema).max(500),
    active: z.boolean(),
  })
  .partial();
export type EntityPatch = z.output<typeof entityPatchSchema>;

export interface Entity extends EntityInput {
  id: string;
  active: boolean;
  createdAt: string;
}

/** Applies a patch; the SIREN never changes (a new SIREN is a new entity). Throws a ZodError like the input would. */
export const patchEntity = (before: Entity, patch: EntityPatch): Entity => {
  const after: Entity = { ...before, ...patch } as Entity;
  const check = z
    .object({})
    .passthrough()
    .superRefine((e, ctx) => checkEntity(e as EntityShape, ctx));
  check.parse(after);
  return after;
};

/** The ledger settings with each active entity's account overrides (what booking uses). */
export const ledgerSettingsWith = (currency: string, entities: readonly Entity[]): LedgerSettings => {
  const base = defaultLedgerSettings(currency);
  return {
    ...base,
    entities: Object.fromEntries(
      entities.map((e) => [
        e.id,
        Object.fromEntries(Object.entries(e.accounting.categoryAccounts).map(([c, account]) => [c, { account }])),
      ]),
    ),
  };
};
