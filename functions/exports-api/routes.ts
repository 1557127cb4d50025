import { API } from '../../shared/api/contract.ts';
import { weekOf } from '../../shared/domain/cards/cash-out.ts';
import { exportFec } from '../../shared/domain/ledger/fec-export.ts';
import { exportJournalCsv, exportJournalJson } from '../../shared/domain/ledger/journal-export.ts';
import type { PostedEntry } from '../../shared/domain/ledger/model.ts';
import { formatMoney, money } from '../../shared/domain/money.ts';
import type { Directory } from '../../shared/ports/directory.ts';
import { BadRequestError, parseQuery, type Route } from '../../shared/runtime/http.ts';

export interface ExportsApiDeps {
  aggregates(
    companyId: string,
    dimension: string,
    fromMonth: string,
    toMonth: string,
  ): Promise<{ month: string; key: string; label: string; amountMinor: bigint; entries: number }[]>;
  missingReceipts(
    companyId: string,
  ): Promise<{ employeeId: string; postedAt: string; amountMinor: bigint; currency: string }[]>;
  currency(companyId: string): Promise<string>;
  now: () => Date;
  postedEntries(companyId: string, from: string, to: string): Promise<PostedEntry[]>;
  directory: Directory;
  siren(companyId: string): Promise<string | null>;
}

/** Exports finance downloads: the FEC of a period (the 18 official columns, tab-separated, decimal comma), and the
 * journal as CSV or JSON for other accounting tools. */
export const makeRoutes = (deps: ExportsApiDeps): Record<string, Route> => ({
  'GET /exports/fec': async ({ principal, event }) => {
    const q = parseQuery(API['GET /exports/fec'].query, event);
    const siren = await deps.siren(principal.companyId);
    if (!siren) throw new BadRequestError('company', 'the company has no SIREN: set it in the company profile first');
    const entries = await deps.postedEntries(principal.companyId, q.from, q.to);
    const fec = exportFec(entries, { siren, closingDate: q.to });
    return {
      body: null,
      file: { contentType: 'text/plain; charset=utf-8', fileName: fec.fileName, content: fec.content },
    };
  },

  'GET /exports/journal': async ({ principal, event }) => {
    const q = parseQuery(API['GET /exports/journal'].query, event);
    const entries = await deps.postedEntries(principal.companyId, q.from, q.to);
    const name = `journal-${principal.companyId}-${q.from}-${q.to}.${q.format}`;
    return q.format === 'csv'
      ? {
          body: null,
          file: { contentType: 'text/csv; charset=utf-8', fileName: name, content: exportJournalCsv(entries) },
        }
      : { body: null, file: { contentType: 'application/json', fileName: name, content: exportJournalJson(entries) } };
  },

  'GET /reports/spend': async ({ principal, event }) => {
    const q = parseQuery(API['GET /reports/spend'].query, event);
    const currency = await deps.currency(principal.companyId);
    const rows = await deps.aggregates(principal.companyId, q.by, q.from, q.to);
    const totals = new Map<string, { key: string; label: string; amountMinor: bigint; entries: number }>();
    for (const r of rows) {
      const t = totals.get(r.key) ?? { key: r.key, label: r.label, amountMinor: 0n, entries: 0 };
      totals.set(r.key, { ...t, amountMinor: t.amountMinor + r.amountMinor, entries: t.entries + r.entries });
    }
    const amount = (minor: bigint) => formatMoney(money(minor, currency));
    if (q.format === 'csv') {
      const csv = [
        'month,key,label,amount,currency,entries',
        ...rows.map((r) =>
          [r.month, r.key, `"${r.label.replaceAll('"', '""')}"`, amount(r.amountMinor), currency, r.entries].join(','),
        ),
      ].join('\n');
      return {
        body: null,
        file: {
          contentType: 'text/csv; charset=utf-8',
          fileName: `spend-by-${q.by}-${q.from}-${q.to}.csv`,
          content: `${csv}\n`,
        },
      };
    }
    return {
      body: {
        by: q.by,
        from: q.from,
        to: q.to,
        currency,
        totals: [...totals.values()]
          .sort((a, b) => (b.amountMinor > a.amountMinor ? 1 : b.amountMinor < a.amountMinor ? -1 : 0))
          .map((t) => ({ key: t.key, label: t.label, amount: amount(t.amountMinor), entries: t.entries })),
        months: rows.map((r) => ({ month: r.month, key: r.key, amount: amount(r.amountMinor), entries: r.entries })),
      },
    };
  },

  'GET /reports/cash-out': async ({ principal, event }) => {
    const q = parseQuery(API['GET /reports/cash-out'].query, event);
    const currency = await deps.currency(principal.companyId);
    const fromWeek = weekOf(`${q.from}T00:00:00Z`);
    const [authorized, captured] = await Promise.all(
      (['cash-out-authorized', 'cash-out-captured'] as const).map((d) =>
        deps.aggregates(principal.companyId, d, fromWeek.slice(0, 7), q.to.slice(0, 7)),
      ),
    );
    const weeks: string[] = [];
    for (
      let w = fromWeek;
      w <= q.to;
      w = new Date(Date.parse(`${w}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10)
    ) {
      weeks.push(w);
    }
    // Card amounts in another currency than the company's are left out of the sums (and counted apart).
    const sum = (rows: typeof authorized, week: string) =>
      (rows ?? []).filter((r) => r.key === week && r.label === currency).reduce((s, r) => s + r.amountMinor, 0n);
    const other = [...(authorized ?? []), ...(captured ?? [])].filter((r) => r.label !== currency).length;
    const amount = (minor: bigint) => formatMoney(money(minor, currency));
    const rows = weeks.map((week) => ({
      week,
      authorized: amount(sum(authorized, week)),
      captured: amount(sum(captured, week)),
    }));
    if (q.format === 'csv') {
      const csv = [
        'week,authorized,captured,currency',
        ...rows.map((r) => `${r.week},${r.authorized},${r.captured},${currency}`),
      ];
      return {
        body: null,
        file: {
          contentType: 'text/csv; charset=utf-8',
          fileName: `cash-out-${q.from}-${q.to}.csv`,
          content: `${csv.join('\n')}\n`,
        },
      };
    }
    return { body: { from: q.from, to: q.to, currency, weeks: rows, otherCurrencyRows: other } };
  },

  'GET /reports/missing-receipts': async ({ principal }) => {
    const now = deps.now().getTime();
    const buckets = [
      { label: '0-7 days', max: 7 },
      { label: '8-30 days', max: 30 },
      { label: '31-60 days', max: 60 },
      { label: 'over 60 days', max: Number.POSITIVE_INFINITY },
    ].map((b) => ({ ...b, count: 0, amountMinor: 0n }));
    const missing = await deps.missingReceipts(principal.companyId);
    const currency = await deps.currency(principal.companyId);
    const byEmployee = new Map<string, number>();
    for (const m of missing) {
      const age = Math.floor((now - Date.parse(m.postedAt)) / 86_400_000);
      const b = buckets.find((x) => age <= x.max);
      if (b && m.currency === currency) {
        b.count++;
        b.amountMinor += m.amountMinor;
      }
      byEmployee.set(m.employeeId, (byEmployee.get(m.employeeId) ?? 0) + 1);
    }
    return {
      body: {
        currency,
        ageing: buckets.map((b) => ({
          age: b.label,
          count: b.count,
          amount: formatMoney(money(b.amountMinor, currency)),
        })),
        byEmployee: [...byEmployee.entries()].map(([employeeId, count]) => ({ employeeId, count })),
      },
    };
  },
});
