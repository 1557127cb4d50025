import { describe, expect, it } from 'vitest';
import { jaroWinkler, merchantSimilarity, normalizeMerchant } from '../../../shared/domain/matching/index.ts';

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
