import { describe, expect, it } from 'vitest';
import {
  jaroWinkler,
  merchantSimilarity,
  normalizeMerchant,
  reconcile,
} from '../../../shared/domain/matching/index.ts';
import { receipt, tx } from './helpers.ts';

const tokens = (s: string) => normalizeMerchant(s).tokens.join(' ');
const sim = (a: string, b: string) => merchantSimilarity(normalizeMerchant(a), normalizeMerchant(b));

describe('normalizeMerchant', () => {
  it.each([
    ['SQ *BLUE BOTTLE', 'BLUE BOTTLE'],
    ['TST* CHEZ MARCEL', 'CHEZ MARCEL'],
    ['PAYPAL *NOTION LABS', 'NOTION LABS'],
    ['SUMUP *TAXIS BLEUS', 'TAXIS BLEUS'],
    ['ZETTLE_*CAFE LUMIERE', 'CAFE LUMIERE'],
    ['AMZN Mktp FR*2K4L81', 'AMAZON'],
    ['Amazon.fr', 'AMAZON'],
    ['UBER *TRIP HELP.UBER.COM', 'UBER'],
    ['UBER *EATS', 'UBER EATS'],
    ['STARBUCKS #1234 PARIS FR', 'STARBUCKS'],
    ['COLUMBUS CAFE 0042', 'COLUMBUS CAFE'],
    ['Le Petit Bistrot SARL', 'PETIT BISTROT'],
    ['Notion Labs, Inc.', 'NOTION LABS'],
    ['Pret A Manger (Europe) Ltd', 'PRET MANGER EUROPE'], // one-letter words carry no identity,
    ['Hôtel Mercure Lyon Centre', 'HOTEL MERCURE LYON CENTRE'],
    ["Joe's Pizza", 'JOES PIZZA'],
  ])('%s → %s', (raw, expected) => {
    expect(tokens(raw)).toBe(expected);
  });

  it('keeps a name that is only a location word', () => {
    expect(tokens('PARIS')).toBe('PARIS');
  });
});

describe('jaroWinkler', () => {
  it('matches the textbook values', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3);
    expect(jaroWinkler('', 'A')).toBe(0);
    expect(jaroWinkler('SAME', 'SAME')).toBe(1);
  });
});

describe('merchantSimilarity', () => {
  it('recognizes descriptors of the same merchant', () => {
    expect(sim('SQ *BLUE BOTTLE', 'Blue Bottle Coffee')).toBeGreaterThanOrEqual(0.8);
    expect(sim('BLUE BOTTLE COFFEE SAN', 'Blue Bottle Coffee')).toBe(1); // 22-char cut + city
    expect(sim('SUMUP *BRASSERIE MONTM', 'Brasserie Montmartre')).toBeGreaterThanOrEqual(0.9); // cut mid-word
    expect(sim('BLUEBOTTLE', 'Blue Bottle')).toBe(1);
    expect(sim('STARBUCKS #1234 PARIS FR', 'Starbucks Coffee France SAS')).toBeGreaterThanOrEqual(0.7);
    expect(sim('MONOPRIX TOULOUSE', 'Monprix')).toBeGreaterThanOrEqual(0.85); // OCR dropped a letter
    expect(sim('AMZN Mktp FR*2K4L81', 'Amazon EU S.à r.l.')).toBe(1);
  });

  it('separates different merchants', () => {
    expect(sim('SQ *LA TABLE DE RIVOLI', 'Bistrot des Arts')).toBeLessThan(0.4);
    expect(sim('PAUL BOULANGERIE', 'Blue Bottle Coffee')).toBeLessThan(0.4);
    expect(sim('G7 TAXI', 'SNCF Voyageurs')).toBeLessThan(0.4);
  });

  it('is symmetric', () => {
    expect(sim('SQ *BLUE BOTTLE', 'Blue Bottle Coffee')).toBe(sim('Blue Bottle Coffee', 'SQ *BLUE BOTTLE'));
  });
});

describe('names that differ only by digits', () => {
  it('two codes that differ tell two merchants apart; a shared code, or a code on one side only, does not', () => {
    expect(sim('CHEZ 4FC0B7 BISTROT', 'Chez D80CD0 Bistrot')).toBeLessThanOrEqual(0.6);
    expect(sim('CHEZ 4FC0B7 BISTROT', 'Chez 4FC0B7 Bistrot')).toBe(1);
    expect(sim('CHEZ 4FC0B7 BISTROT', 'Chez Bistrot')).toBe(1);
    expect(sim('SQ *CHEZ 4FC0B7', 'Chez 4FCOB7')).toBe(1); // OCR read the zero as an O
  });

  it('store numbers, terminals and arrondissements still never count', () => {
    expect(sim('MONOPRIX 2211 PARIS', 'Monoprix 0032')).toBe(1);
    expect(sim('PAUL T2 ORLY', 'Paul T1 Orly')).toBe(sim('PAUL ORLY', 'Paul Orly'));
    expect(sim('MCDONALDS F1234', "McDonald's F5678")).toBe(1);
    expect(sim('IBIS PARIS 17E', 'Ibis Paris 15e')).toBe(1);
    expect(sim('AMZN Mktp FR*2K4L81', 'AMZN Mktp FR*9Z7Q11')).toBe(1);
  });

  it('batch: the receipt goes to its own merchant, no longer a tie', () => {
    const r = receipt({ vendor: 'Chez 4FC0B7 Bistrot', totalStr: '42.00' });
    const { proposals } = reconcile(
      [r],
      [
        tx({ id: 'mine', merchantName: 'CHEZ 4FC0B7 BISTROT', mcc: '5812', amountStr: '45.00' }),
        tx({ id: 'other', merchantName: 'CHEZ D80CD0 BISTROT', mcc: '5812', amountStr: '44.00' }),
      ],
    );
    expect(proposals[0]).toMatchObject({ transactionId: 'mine', auto: true });
  });
});
