import { z } from 'zod';
import { normalizeAddress } from './email-address.ts';
import { validateBic, validateIban } from './expenses/iban.ts';
import { isValidFrenchVat, isValidSiren } from './extraction/identifiers.ts';
import { ROLES } from './identity.ts';

/** The company profile an admin maintains; identifiers are checked (SIREN Luhn, French VAT key, IBAN mod 97). */
export const companyProfileSchema = z
  .object({
    legalName: z.string().trim().min(1).max(200),
    siren: z
      .string()
      .transform((s) => s.replace(/\s/g, ''))
      .refine(isValidSiren, 'not a valid SIREN (9 digits, Luhn checksum)'),
    vatNumber: z
      .string()
      .transform((s) => s.replace(/\s/g, '').toUpperCase())
      .optional(),
    address: z.string().trim().max(500).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .default('FR'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('EUR'),
    iban: z
      .string()
      .transform((s) => s.replace(/\s/g, '').toUpperCase())
      .refine((s) => validateIban(s).ok, 'not a valid IBAN (country length, mod-97 checksum)')
      .optional(),
    bic: z
      .string()
      .transform((s) => s.replace(/\s/g, '').toUpperCase())
      .refine((s) => validateBic(s).ok, 'not a valid BIC')
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (c.vatNumber?.startsWith('FR') && !isValidFrenchVat(c.vatNumber)) {
      ctx.addIssue({ code: 'custom', path: ['vatNumber'], message: 'not a valid French VAT number (key or SIREN)' });
    }
    if (c.vatNumber?.startsWith('FR') && c.vatNumber.slice(4) !== c.siren) {
      ctx.addIssue({ code: 'custom', path: ['vatNumber'], message: 'the French VAT number must contain the SIREN' });
    }
  });
export type CompanyProfileInput = z.input<typeof companyProfileSchema>;

const email = z
  .string()
  .trim()
  .email()
  .transform((s) => normalizeAddress(s));

/** A user as an admin creates or edits them. */
export const userInputSchema = z.object({
  email,
  displayName: z.string().trim().min(1).max(120),
  roles: z.array(z.enum(ROLES)).min(1),
  managerId: z.string().min(1).nullable().default(null),
  teamIds: z.array(z.string().min(1)).default([]),
  /** The legal entity the user works for (their expenses carry it); null in a single-entity company. */
  entityId: z.string().min(1).nullable().default(null),
  /** Other addresses the user sends receipts from. */
  otherAddresses: z.array(email).default([]),
  iban: z
    .string()
    .transform((s) => s.replace(/\s/g, '').toUpperCase())
    .refine((s) => validateIban(s).ok, 'not a valid IBAN (country length, mod-97 checksum)')
    .nullable()
    .default(null),
});
export type UserInput = z.output<typeof userInputSchema>;
const iban = z
  .string()
  .transform((s) => s.replace(/\s/g, '').toUpperCase())
  .refine((s) => validateIban(s).ok, 'not a valid IBAN (country length, mod-97 checksum)');

/** What an admin may change on a user (absent fields stay as they are). */
export const userPatchSchema = z
  .object({
    displayName: z.string().trim().min(1).max(120),
    roles: z.array(z.enum(ROLES)).min(1),
    managerId: z.string().min(1).nullable(),
    teamIds: z.array(z.string().min(1)),
    entityId: z.string().min(1).nullable(),
    otherAddresses: z.array(email),
    iban: iban.nullable(),
  })
  .partial();
export type UserPatch = z.output<typeof userPatchSchema>;
