import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../infra/local/event-pattern.ts';

const s3Event = {
  source: 'aws.s3',
  'detail-type': 'Object Created',
  detail: { bucket: { name: 'raw' }, object: { key: 'inbound/abc', size: 10 }, tags: ['a', 'b'] },
};

describe('EventBridge pattern matching (local bus)', () => {
  it.each([
    [{ source: ['aws.s3'] }, true],
    [{ source: ['quittance.receipts'] }, false],
    [{ detail: { bucket: { name: ['raw'] }, object: { key: [{ prefix: 'inbound/' }] } } }, true],
    [{ detail: { object: { key: [{ prefix: 'uploads/' }] } } }, false],
    [{ detail: { object: { key: [{ suffix: 'abc' }] } } }, true],
    [{ detail: { object: { missing: [{ exists: false }] } } }, true],
    [{ detail: { object: { key: [{ exists: true }] } } }, true],
    [{ detail: { bucket: { name: [{ 'anything-but': ['raw'] }] } } }, false],
    [{ 'detail-type': [{ 'equals-ignore-case': 'object created' }] }, true],
    [{ detail: { tags: ['b'] } }, true],
    [{ detail: { object: { size: [10] } } }, true],
    [{ detail: { bucket: ['raw'] } }, false],
  ])('%j → %s', (pattern, expected) => {
    expect(matchesPattern(pattern, s3Event)).toBe(expected);
  });

  it('rejects malformed patterns loudly instead of matching nothing', () => {
    expect(() => matchesPattern({ source: 'aws.s3' }, s3Event)).toThrow(/must be an array/);
  });
});
