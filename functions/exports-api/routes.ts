import { z } from 'zod';
import { exportFec } from '../../shared/domain/ledger/fec-export.ts';
import { exportJournalCsv, exportJournalJson } from '../../shared/domain/ledger/journal-export.ts';
import type { PostedEntry } from '../../shared/domain/ledger/model.ts';
import type { Directory } from '../../shared/ports/directory.ts';
import { BadRequestError, parseQuery, type Route } from '../../shared/runtime/http.ts';

export interface ExportsApiDeps {
  postedEntries(companyId: string, from: string, to: string): Promise<PostedEntry[]>;
  directory: Directory;
  siren(companyId: string): Promise<string | null>;
}

const period = z
  .object({ from: z.iso.date(), to: z.iso.date() })
  .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] });

/** Exports finance downloads: the FEC of a period (the 18 official columns, tab-separated, decimal comma), and the
 * journal as CSV or JSON for other accounting tools. */
export const makeRoutes = (deps: ExportsApiDeps): Record<string, Route> => ({
  'GET /exports/fec': async ({ principal, event }) => {
    const q = parseQuery(period, event);
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
    const q = parseQuery(
      z
        .object({ from: z.iso.date(), to: z.iso.date(), format: z.enum(['csv', 'json']).default('csv') })
        .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] }),
      event,
    );
    const entries = await deps.postedEntries(principal.companyId, q.from, q.to);
    const name = `journal-${principal.companyId}-${q.from}-${q.to}.${q.format}`;
    return q.format === 'csv'
      ? {
          body: null,
          file: { contentType: 'text/csv; charset=utf-8', fileName: name, content: exportJournalCsv(entries) },
        }
      : { body: null, file: { contentType: 'application/json', fileName: name, content: exportJournalJson(entries) } };
  },
});
