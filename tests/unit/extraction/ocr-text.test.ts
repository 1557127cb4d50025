import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repairOcrLine } from '../../../shared/domain/extraction/ocr-text.ts';

describe('repairOcrLine', () => {
  it.each([
    ['Date: 11/09/2€17', 'Date: 11/09/2017'],
    ['Le O6/O5/2024 à 12:31', 'Le 06/05/2024 à 12:31'],
    ['2O24-03-l4', '2024-03-14'],
    ['CHANGE      o.co', 'CHANGE      0.00'],
    ['Stylo bille     |.90 T', 'Stylo bille     1.90 T'],
    ['TOTAL 12.5O', 'TOTAL 12.50'],
    ['SUBTOTAL      RM96. 20', 'SUBTOTAL      RM96.20'],
    ['TVA 5.5 %   l2,34', 'TVA 5.5 %   12,34'],
  ])('%s → %s', (text, fixed) => {
    expect(repairOcrLine(text)).toBe(fixed);
  });

  it.each([
    'MR. D.I.Y. (M) SDN BHD',
    'Co. No. 113825-W',
    'No. 31G833G, JALAN SETIA',
    'Tel: 03-9054 3785',
    'Table 1, 20 couverts',
    'S.OS BOIS',
    'Do/Sl/IS',
    'Heure 12:43:19',
    'CAFE CREME 2.50',
  ])('leaves %s alone', (text) => {
    expect(repairOcrLine(text)).toBe(text);
  });

  it('never changes text without digits or look-alikes, and keeps well-formed text as is', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-HJKMNPR-Y &'().-]{0,40}$/), (text) => {
        expect(repairOcrLine(text)).toBe(text);
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 2000, max: 2030 }),
        fc.integer({ min: 0, max: 99999 }),
        (d, m, y, cents) => {
          const text = `DATE ${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}  TOTAL ${(cents / 100).toFixed(2)}`;
          expect(repairOcrLine(text)).toBe(text);
        },
      ),
    );
  });
});
