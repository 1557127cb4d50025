import { entryToJson } from '../../domain/ledger/entry-json.ts';
import { formatMoney } from '../../domain/money.ts';
import type { AccountingConnector, PostResult } from '../../ports/accounting.ts';

/**
 * Posts a journal entry to an accounting API shaped like the common "manual journal" APIs (Xero ManualJournals,
 * QuickBooks JournalEntry…): narration, date, lines with account codes and signed amounts, the entry id as the
 * Idempotency-Key (the same entry posted twice is one journal there). 2xx: posted; 408/429/5xx, network errors and
 * timeouts: retryable; any other 4xx: permanent (the reason is the API's).
 */
export const makeHttpAccountingConnector = (
  baseUrl: string,
  options: { timeoutMs?: number; token?: string } = {},
): AccountingConnector => ({
  name: 'http-manual-journals',
  async post(entry, idempotencyKey): Promise<PostResult> {
    const body = {
      Narration: `${entry.ecritureNum} ${entry.label}`.slice(0, 255),
      Date: entry.date,
      Reference: entry.piece.ref,
      SourceId: entry.id,
      JournalLines: entry.lines.map((l) => ({
        AccountCode: l.account,
        Description: l.label,
        // Debit positive, credit negative, as these APIs expect.
        LineAmount: l.debit.minor > 0n ? formatMoney(l.debit) : `-${formatMoney(l.credit)}`,
        ...(l.auxiliary ? { Tracking: [{ Name: 'Employee', Option: l.auxiliary.number }] } : {}),
      })),
      Quittance: entryToJson(entry),
    };
    let res: Response;
    try {
      res = await fetch(`${baseUrl.replace(/\/$/, '')}/manual-journals`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      return { status: 'retryable', reason: `accounting API unreachable: ${(error as Error).message}` };
    }
    const text = await res.text();
    if (res.ok) {
      const id = (() => {
        try {
          return String((JSON.parse(text) as { id?: unknown }).id ?? '');
        } catch {
          return '';
        }
      })();
      return { status: 'posted', externalId: id || idempotencyKey };
    }
    const retryAfter = Number(res.headers.get('retry-after'));
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      return {
        status: 'retryable',
        reason: `accounting API answered HTTP ${res.status}`,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    }
    return {
      status: 'permanent',
      reason: `accounting API refused the entry: HTTP ${res.status} ${text.slice(0, 300)}`,
    };
  },
});
