import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, RESPONSE_FILES, SHARED } from './fixtures.ts';

describe('Textract fixtures', () => {
  it('are the real responses: each copy parses to the same value as ../shared/data (when present)', () => {
    for (const file of RESPONSE_FILES) {
      const copy = JSON.parse(readFileSync(resolve(FIXTURES, file), 'utf8'));
      expect(copy.ExpenseDocuments.length).toBeGreaterThan(0);
      const original = resolve(SHARED, file);
      if (existsSync(original)) expect(copy).toEqual(JSON.parse(readFileSync(original, 'utf8')));
    }
  });

  it('cover every response in ../shared/data (when present)', () => {
    if (!existsSync(SHARED)) return;
    const shared = readdirSync(SHARED).filter((f) => f.endsWith('.json'));
    expect([...RESPONSE_FILES].sort()).toEqual(shared.sort());
  });
});
