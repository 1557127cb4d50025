import { describe, expect, it } from 'vitest';
import { lineEvidence, suspectLine, trimNoiseWords } from '../../../shared/adapters/extraction/ocr.ts';

const box = (x0: number, x1: number) => ({ x0, y0: 10, x1, y1: 40 });

describe('OCR line post-processing (no OCR run)', () => {
  it('drops low-confidence noise words at the ends of a line, never digits nor confident words', () => {
    const line = {
      text: 're HREE STOOGES |',
      confidence: 60,
      bbox: box(0, 500),
      words: [
        { text: 're', confidence: 20, bbox: box(0, 30) },
        { text: 'HREE', confidence: 90, bbox: box(60, 200) },
        { text: 'STOOGES', confidence: 92, bbox: box(220, 480) },
        { text: '|', confidence: 30, bbox: box(490, 500) },
      ],
    };
    const t = trimNoiseWords(line);
    expect(t.text).toBe('HREE STOOGES');
    expect(t.bbox).toMatchObject({ x0: 60, x1: 480 });

    const keep = {
      text: 'TOTAL   12.50 RM',
      confidence: 60,
      bbox: box(0, 500),
      words: [
        { text: 'TOTAL', confidence: 30, bbox: box(0, 100) },
        { text: '12.50', confidence: 20, bbox: box(300, 400) },
        { text: 'RM', confidence: 80, bbox: box(420, 500) },
      ],
    };
    expect(trimNoiseWords(keep).text).toBe('TOTAL   12.50 RM');
    // Only noise: the line is emptied.
    expect(trimNoiseWords({ ...line, words: [{ text: '~', confidence: 10, bbox: box(0, 5) }] }).text).toBe('');
    // No word information: unchanged.
    expect(trimNoiseWords({ text: 'a b', confidence: 50, bbox: box(0, 9) }).text).toBe('a b');
  });

  it('flags the lines a first reading probably got wrong', () => {
    expect(suspectLine('Date : 06-05-7118 12:43:19')).toBe(true); // impossible year
    expect(suspectLine('Total :')).toBe(true); // total label without an amount
    expect(suspectLine('NET TOTAL        140')).toBe(true); // an amount without decimals
    expect(suspectLine('DATE')).toBe(true);
    expect(suspectLine('Total Payable: 19,31')).toBe(false);
    expect(suspectLine('TOTAL TTC      15,60 EUR')).toBe(false);
    expect(suspectLine('Le 14/03/2024 a 12:31')).toBe(false);
    expect(suspectLine('BAGUETTE TRADITION')).toBe(false);
  });

  it('scores well-formed amounts and plausible dates as evidence, stray symbols against', () => {
    expect(lineEvidence('Total : /248.05')).toBeGreaterThan(lineEvidence('Total :'));
    expect(lineEvidence('06-05-2018')).toBeGreaterThan(lineEvidence('06-05-7118'));
    expect(lineEvidence('Total Payable: 19,31')).toBeGreaterThan(lineEvidence('Total Payable: 1931'));
    expect(lineEvidence('| TOTAL 12.50 |')).toBeLessThan(lineEvidence('TOTAL 12.50'));
  });
});
