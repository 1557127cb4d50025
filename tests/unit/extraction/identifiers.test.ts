import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findCardLast4,
  findCompanyIds,
  frenchVatKey,
  isValidFrenchVat,
  isValidSiren,
  isValidSiret,
  luhnValid,
} from '../../../shared/domain/extraction/identifiers.ts';

/** Appends the Luhn check digit. */
const withLuhn = (body: string): string => {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
};

describe('company identifiers', () => {
  it('checks SIREN, SIRET and French VAT numbers', () => {
    expect(isValidSiren('732829320')).toBe(true);
    expect(isValidSiren('732829321')).toBe(false);
    expect(isValidSiret('73282932000074')).toBe(true);
    expect(isValidSiret('73282932000075')).toBe(false);
    expect(isValidSiret('35600000000010')).toBe(true); // La Poste: sum of digits multiple of 5
    expect(isValidFrenchVat('FR44732829320')).toBe(true);
    expect(isValidFrenchVat('FR45732829320')).toBe(false);
  });

  it('finds identifiers on a printed line', () => {
    expect(findCompanyIds('SIRET 732 829 320 00074 - APE 1071C')).toMatchObject({
      siret: '73282932000074',
      siren: '732829320',
    });
    expect(findCompanyIds('N° TVA intracom. : FR 44 732 829 320').vatNumber).toBe('FR44732829320');
    expect(findCompanyIds('RCS Paris 732 829 320').siren).toBe('732829320');
    expect(findCompanyIds('Ticket 123 456 789 00000')).toEqual({});
  });

  it('accepts every generated SIREN and its VAT number, rejects single-digit typos (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9]\d{7}$/),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 9 }),
        (body, pos, delta) => {
          const siren = withLuhn(body);
          expect(isValidSiren(siren)).toBe(true);
          expect(isValidFrenchVat(`FR${frenchVatKey(siren)}${siren}`)).toBe(true);
          const typo = siren.slice(0, pos) + ((Number(siren[pos]) + delta) % 10) + siren.slice(pos + 1);
          expect(isValidSiren(typo)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads the last 4 digits of a masked card', () => {
    expect(findCardLast4('Carte ************4821')).toBe('4821');
    expect(findCardLast4('VISA XXXX XXXX XXXX 1234')).toBe('1234');
    expect(findCardLast4('ACCOUNT # **** VISA 3433')).toBe('3433');
    expect(findCardLast4('TOTAL 12.50')).toBeUndefined();
  });
});
