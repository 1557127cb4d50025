import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A local stand-in for an external accounting API with a "manual journals" endpoint (as Xero, QuickBooks… have):
 * POST /manual-journals is idempotent on the Idempotency-Key header (the same key returns the same journal id),
 * journals are kept under <dataDir>/accounting, GET lists them. For failure tests, POST /outage {"requests": N,
 * "status": 503} makes the next N posts answer that status (5xx: an outage, retried; 4xx: a refusal, dead-lettered).
 */
export const makeAccountingStandIn = (dataDir: string) => {
  const dir = join(dataDir, 'accounting');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'manual-journals.jsonl');
  const journals = new Map<string, { id: string; key: string; receivedAt: string; body: unknown }>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const j = JSON.parse(line) as { id: string; key: string; receivedAt: string; body: unknown };
        journals.set(j.key, j);
      } catch {
        // a torn last line
      }
    }
  }
  let outage = 0;
  let outageStatus = 503;
  let posts = 0;
  return {
    /** Handles /_local/accounting/…; null when the path is not its own. */
    handle(method: string, path: string, headers: Record<string, string | string[] | undefined>, body: Buffer) {
      const sub = path.replace(/^\/_local\/accounting/, '');
      if (method === 'GET' && sub === '/manual-journals') {
        return { status: 200, body: { items: [...journals.values()], posts } };
      }
      if (method === 'POST' && sub === '/outage') {
        const input = JSON.parse(body.toString('utf8') || '{}') as { requests?: number; status?: number };
        outage = Number(input.requests ?? 1);
        outageStatus = Number(input.status ?? 503);
        return { status: 200, body: { outageRequests: outage, status: outageStatus } };
      }
      if (method === 'POST' && sub === '/manual-journals') {
        posts++;
        if (outage > 0) {
          outage--;
          return {
            status: outageStatus,
            body: {
              message:
                outageStatus >= 500
                  ? 'accounting API temporarily unavailable (injected outage)'
                  : 'accounting API refused the journal (injected refusal: period closed)',
            },
          };
        }
        const key = String(headers['idempotency-key'] ?? '');
        if (!key) return { status: 400, body: { message: 'Idempotency-Key header required' } };
        const existing = journals.get(key);
        if (existing) return { status: 200, body: { id: existing.id, duplicate: true } };
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          return { status: 400, body: { message: 'body is not JSON' } };
        }
        const journal = { id: `mj_${randomUUID()}`, key, receivedAt: new Date().toISOString(), body: parsed };
        journals.set(key, journal);
        appendFileSync(file, `${JSON.stringify(journal)}\n`);
        return { status: 200, body: { id: journal.id } };
      }
      return null;
    },
  };
};
