import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventBridgeEnvelope } from '../../../events/envelope.ts';
import { accountingPushMessage, ledgerEvents } from '../../../events/ledger.ts';
import { buildExpenseEntry, entryFromJson, entryToJson, postEntry } from '../../../shared/domain/ledger/index.ts';
import { hotelExpense, settings } from './helpers.ts';

const samples = resolve(import.meta.dirname, '../../../events/samples');

describe('ledger events', () => {
  it.each(Object.entries(ledgerEvents))('%s: the sample validates', (name, spec) => {
    const sample = JSON.parse(readFileSync(resolve(samples, `${name}.json`), 'utf8')) as unknown;
    expect(eventBridgeEnvelope(name, spec.detail).parse(sample).source).toBe('quittance.ledger');
  });

  it('carries a posted entry on the accounting queue, exactly', () => {
    const entry = postEntry(buildExpenseEntry(hotelExpense(), settings).entry, 1, '2024-03-06T09:00:00.000Z');
    const message = accountingPushMessage.parse(
      JSON.parse(JSON.stringify({ companyId: entry.companyId, entryId: entry.id, entry: entryToJson(entry) })),
    );
    expect(entryFromJson(message.entry)).toEqual(entry);
  });
});
