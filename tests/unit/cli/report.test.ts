import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/command.ts';
import { formatTable, monthDays, monthOf } from '../../../cli/commands/report.ts';

describe('quittance report: month and table helpers', () => {
  it('gives the first and last day of any month, leap years included', () => {
    expect(monthDays('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(monthDays('2026-02')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(monthDays('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(monthDays('2026-04').to).toBe('2026-04-30');
  });

  it('defaults to the current month and refuses a month that is not one', () => {
    expect(monthOf(undefined, new Date('2026-11-22T10:00:00Z'))).toBe('2026-11');
    expect(monthOf('2026-01')).toBe('2026-01');
    for (const bad of ['2026-13', '2026-1', '26-01', '2026-00']) expect(() => monthOf(bad)).toThrow(UsageError);
  });

  it('aligns columns to the widest cell', () => {
    expect(formatTable({ columns: ['a', 'long header'], rows: [['wide cell', 'x']] })).toBe(
      'a          long header\nwide cell  x\n',
    );
  });
});
