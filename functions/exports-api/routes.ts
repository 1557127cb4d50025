import { z } from 'zod';
import { exportFec } from '../../shared/domain/ledger/fec-export.ts';
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

/** Exports finance downloads: the FEC of a period (the 18 official columns, tab-separated, decimal comma). */
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
});
