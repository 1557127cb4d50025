import { randomUUID } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { matchesPattern } from './event-pattern.ts';

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** A rule: a pattern on a bus and what receives the matching events. */
export interface BusRule {
  name: string;
  bus: string;
  pattern: Record<string, unknown>;
  deliver: (event: BusEvent) => Promise<void>;
}

type JournalLine =
  | { t: 'event'; bus: string; event: BusEvent; rules: string[] }
  | { t: 'done'; id: string; rule: string; ok: boolean; error?: string };

export const ACCOUNT = '000000000000';

/**
 * The local EventBridge: the default bus (AWS service events such as S3 "Object Created") and the
 * application bus. Delivery is asynchronous like Lambda's async invocation: 3 attempts with backoff, then
 * the event goes to a dead-letter file. Every accepted event is journaled before delivery and replayed
 * after a restart if its delivery had not finished, so a stop never loses an event.
 */
export const makeEventBus = (opts: {
  dataDir: string;
  region: string;
  retryDelaysMs?: readonly number[];
  log: (line: string) => void;
}) => {
  const dir = join(opts.dataDir, 'bus');
  mkdirSync(dir, { recursive: true });
  const journalPath = join(dir, 'journal.jsonl');
  const deadLetterPath = join(dir, 'dead-letters.jsonl');
  const retryDelays = opts.retryDelaysMs ?? [1_000, 2_000];
  const rules: BusRule[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  // One descriptor for the run (opening the file for every line was a measurable share of a busy cloud's CPU).
  let journalFd: number | null = null;
  const journal = (line: JournalLine) => {
    journalFd ??= openSync(journalPath, 'a');
    writeSync(journalFd, `${JSON.stringify(line)}\n`);
  };

  const deliverOne = async (rule: BusRule, event: BusEvent): Promise<void> => {
    let lastError = '';
    for (let attempt = 0; attempt <= retryDelays.length && !stopped; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, retryDelays[attempt - 1]));
      try {
        await rule.deliver(event);
        journal({ t: 'done', id: event.id, rule: rule.name, ok: true });
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    if (stopped) return; // left pending in the journal: replayed on the next start
    journal({ t: 'done', id: event.id, rule: rule.name, ok: false, error: lastError });
    appendFileSync(deadLetterPath, `${JSON.stringify({ rule: rule.name, error: lastError, event })}\n`);
    opts.log(`event ${event['detail-type']} ${event.id} → ${rule.name} failed 3 times, dead-lettered: ${lastError}`);
  };

  const dispatch = (event: BusEvent, ruleNames: readonly string[]) => {
    for (const name of ruleNames) {
      const rule = rules.find((r) => r.name === name);
      if (!rule) continue;
      const p = deliverOne(rule, event).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  };

  type Entry = Omit<BusEvent, 'version' | 'id' | 'account' | 'region'>;
  const matching = (bus: string, event: Entry) =>
    rules.filter((r) => r.bus === bus && matchesPattern(r.pattern, event as never)).map((r) => r.name);

  const put = (bus: string, entry: Entry): BusEvent => {
    const event: BusEvent = { version: '0', id: randomUUID(), account: ACCOUNT, region: opts.region, ...entry };
    const matched = matching(bus, event);
    // An event no rule routes goes nowhere (as in EventBridge): nothing to journal for redelivery.
    if (matched.length === 0) return event;
    journal({ t: 'event', bus, event, rules: matched });
    dispatch(event, matched);
    return event;
  };

  /** Redelivers what a previous run accepted but did not finish; then compacts the journal. */
  const replayPending = (): number => {
    if (!existsSync(journalPath)) return 0;
    const pending = new Map<string, { event: BusEvent; bus: string; rules: Set<string> }>();
    for (const raw of readFileSync(journalPath, 'utf8').split('\n')) {
      if (!raw.trim()) continue;
      let line: JournalLine;
      try {
        line = JSON.parse(raw) as JournalLine;
      } catch {
        continue; // a torn last line after a crash
      }
      if (line.t === 'event')
        pending.set(line.event.id, { event: line.event, bus: line.bus, rules: new Set(line.rules) });
      else pending.get(line.id)?.rules.delete(line.rule);
    }
    const todo = [...pending.values()].filter((p) => p.rules.size > 0);
    writeFileSync(
      journalPath,
      todo.map((p) => `${JSON.stringify({ t: 'event', bus: p.bus, event: p.event, rules: [...p.rules] })}\n`).join(''),
    );
    for (const p of todo) dispatch(p.event, [...p.rules]);
    return todo.length;
  };

  /** The PutEvents API (JSON 1.1 protocol) so handlers use the real EventBridge SDK client. */
  const startApi = (): Promise<{ server: Server; endpoint: string }> =>
    new Promise((resolve) => {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const reply = (status: number, body: unknown) => {
            res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
            res.end(JSON.stringify(body));
          };
          if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
            return reply(400, { __type: 'UnknownOperationException', message: 'only PutEvents is emulated' });
          }
          let body: { Entries?: Array<Record<string, unknown>> };
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
          } catch {
            return reply(400, { __type: 'ValidationException', message: 'body is not JSON' });
          }
          const entries = (body.Entries ?? []).map((e) => {
            try {
              const detail = JSON.parse(String(e.Detail ?? '')) as unknown;
              if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
                throw new Error('not an object');
              if (!e.Source || !e.DetailType) throw new Error('Source and DetailType are required');
              const event = put(String(e.EventBusName ?? 'default'), {
                'detail-type': String(e.DetailType),
                source: String(e.Source),
                time: new Date().toISOString(),
                resources: Array.isArray(e.Resources) ? e.Resources.map(String) : [],
                detail: detail as Record<string, unknown>,
              });
              return { EventId: event.id };
            } catch (error) {
              return { ErrorCode: 'MalformedDetail', ErrorMessage: (error as Error).message };
            }
          });
          reply(200, { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries });
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        resolve({ server, endpoint: `http://127.0.0.1:${port}` });
      });
    });

  return {
    addRule: (rule: BusRule) => rules.push(rule),
    put,
    replayPending,
    startApi,
    /** Whether any rule of the bus would route this event. */
    routes: (bus: string, entry: Entry): boolean => matching(bus, entry).length > 0,
    /** Resolves once no delivery is in progress (tests and the demo use it). */
    async idle(): Promise<void> {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    async stop(): Promise<void> {
      stopped = true;
      await Promise.allSettled([...inFlight]);
      if (journalFd !== null) closeSync(journalFd);
      journalFd = null;
    },
  };
};

export type EventBus = ReturnType<typeof makeEventBus>;
