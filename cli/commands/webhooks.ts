import { parseArgs } from 'node:util';
import { type Command, UsageError } from '../command.ts';
import { adminSession, apiGet, apiPost, financeSession } from '../session.ts';
import { formatTable } from './report.ts';

type Endpoint = {
  id: string;
  url: string;
  events: string[];
  status: string;
  disabledReason: string | null;
  lastDeliveredAt: string | null;
};
type Delivery = {
  eventId: string;
  eventType: string;
  status: string;
  attempts: { at: string; httpStatus: number | null; error: string | null }[];
  nextAttemptAt: string | null;
  reason: string | null;
};

const DELIVERY_STATUSES = ['pending', 'delivered', 'retrying', 'failed', 'cancelled'];

/** The endpoints as a table: where they point, what they take, whether they work. */
export const endpointsTable = (items: readonly Endpoint[]): string =>
  formatTable({
    columns: ['id', 'status', 'last delivered', 'events', 'url'],
    rows: items.map((e) => [
      e.id,
      e.status === 'disabled' ? `disabled: ${(e.disabledReason ?? '').slice(0, 60)}` : e.status,
      e.lastDeliveredAt?.slice(0, 16).replace('T', ' ') ?? '-',
      e.events.join(','),
      e.url,
    ]),
  });

/** A delivery log as a table: the last attempt of each event, and why it stands where it does. */
export const deliveriesTable = (items: readonly Delivery[]): string =>
  formatTable({
    columns: ['event', 'type', 'status', 'attempts', 'last answer', 'next / reason'],
    rows: items.map((d) => {
      const last = d.attempts.at(-1);
      return [
        d.eventId,
        d.eventType,
        d.status,
        String(d.attempts.length),
        last ? (last.httpStatus === null ? (last.error ?? 'no answer').slice(0, 40) : `HTTP ${last.httpStatus}`) : '-',
        (d.nextAttemptAt ? `next ${d.nextAttemptAt.slice(0, 19).replace('T', ' ')}` : (d.reason ?? '')).slice(0, 60),
      ];
    }),
  });

/**
 * `quittance webhooks list|deliveries|test`: the outbound webhook endpoints of the company, their delivery logs,
 * and a test event, from the running API (the local cloud by default; QUITTANCE_API_URL and QUITTANCE_TOKEN for a
 * deployed one; `test` needs an admin's token).
 */
export const webhooksCommand: Command = {
  name: 'webhooks',
  usage: [
    'Usage: quittance webhooks list',
    '       quittance webhooks deliveries <endpoint id> [--status failed|retrying|…] [--limit N]',
    '       quittance webhooks test <endpoint id>',
    '',
    'list        endpoints: status (and why disabled), last successful delivery, event types, URL',
    'deliveries  the delivery log, newest event first: attempts, last answer, next attempt or reason',
    'test        sends a signed webhook.test event to the endpoint now and prints its event id',
  ].join('\n'),
  async run(argv) {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { status: { type: 'string' }, limit: { type: 'string' } },
    });
    const [action, id, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError('too many arguments');
    if (action === 'list') {
      if (id) throw new UsageError('list takes no endpoint id');
      const { token } = await financeSession();
      const { items } = (await (await apiGet(token, '/webhook-endpoints')).json()) as { items: Endpoint[] };
      process.stdout.write(`${endpointsTable(items)}${items.length} endpoint${items.length === 1 ? '' : 's'}\n`);
      return 0;
    }
    if (action !== 'deliveries' && action !== 'test')
      throw new UsageError('expected: webhooks list | deliveries | test');
    if (!id) throw new UsageError(`${action} needs an endpoint id (see: quittance webhooks list)`);
    const path = `/webhook-endpoints/${encodeURIComponent(id)}`;
    if (action === 'test') {
      const { token } = await adminSession();
      const { eventId } = (await (await apiPost(token, `${path}/test`)).json()) as { eventId: string };
      process.stdout.write(
        `${eventId}\nqueued: see it arrive with \`quittance webhooks deliveries ${id}\` (webhook-id: ${eventId})\n`,
      );
      return 0;
    }
    if (values.status && !DELIVERY_STATUSES.includes(values.status)) {
      throw new UsageError(`--status is one of ${DELIVERY_STATUSES.join(', ')}`);
    }
    const limit = values.limit ?? '50';
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 100) throw new UsageError('--limit is 1 to 100');
    const { token } = await financeSession();
    const query = new URLSearchParams({ limit, ...(values.status ? { status: values.status } : {}) });
    const { items } = (await (await apiGet(token, `${path}/deliveries?${query}`)).json()) as { items: Delivery[] };
    process.stdout.write(`${deliveriesTable(items)}${items.length} deliver${items.length === 1 ? 'y' : 'ies'}\n`);
    return 0;
  },
};
