import { countryAlpha2 } from './countries.ts';
import type { Merchant } from './model.ts';

/**
 * Upper-case, accents removed, every run of non-alphanumerics collapsed to one space: "Sq *Soma-Eats " → "SQ SOMA EATS".
 * Allow/block lists and matching compare these forms.
 */
export const normalizeDescriptor = (descriptor: string): string =>
  descriptor
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();

/**
 * A list entry matches a descriptor when the entry's words appear, consecutive and whole, in the descriptor:
 * "AMAZON" matches "AMAZON MKTPLACE PMTS" and "WWW AMAZON FR", not "AMAZONIA CAFE".
 */
export const descriptorMatches = (normalizedDescriptor: string, entry: string): boolean => {
  const needle = normalizeDescriptor(entry);
  if (needle === '') return false;
  return ` ${normalizedDescriptor} `.includes(` ${needle} `);
};

const MCC_RE = /^\d{4}$/;

export const merchantOf = (m: {
  name: string | null | undefined;
  mcc: string | null | undefined;
  city: string | null | undefined;
  country: string | null | undefined;
  acceptorId: string | null | undefined;
}): Merchant => {
  const name = (m.name ?? '').trim();
  const mcc = m.mcc?.trim() ?? '';
  const country = m.country?.trim() ?? '';
  return {
    name,
    normalizedName: normalizeDescriptor(name),
    mcc: MCC_RE.test(mcc) ? mcc : null,
    city: m.city?.trim() || null,
    country: country === '' ? null : (countryAlpha2(country) ?? country.toUpperCase()),
    acceptorId: m.acceptorId?.trim() || null,
  };
};
