import { createHash } from 'node:crypto';
import type { Receipt, ReceiptHistoryEntry } from '../../shared/domain/receipts/receipt.ts';
import type { CompanyProfile, Directory, DirectoryUser } from '../../shared/ports/directory.ts';
import type { DocumentStore } from '../../shared/ports/document-store.ts';
import type { DomainEvent, EventPublisher } from '../../shared/ports/event-publisher.ts';
import type { OutboundEmail } from '../../shared/ports/mailer.ts';
import type { QuarantinedMail, QuarantineRepository } from '../../shared/ports/quarantine-repository.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';
import { ConcurrentUpdateError } from '../../shared/ports/receipt-repository.ts';

/** In-memory adapters with the same behaviour as the real ones, for domain tests (no network). */
export const inMemory = () => {
  const receipts = new Map<string, Receipt>();
  const history = new Map<string, ReceiptHistoryEntry[]>();
  const objects = new Map<string, Uint8Array>();
  const quarantined: QuarantinedMail[] = [];
  const published: DomainEvent[] = [];
  const inboxes = new Map<string, string>();
  const users: DirectoryUser[] = [];
  const addresses = new Map<string, string>();
  const claims = new Map<string, string>();
  const sent: OutboundEmail[] = [];
  const companies = new Map<string, CompanyProfile>();

  const receiptRepo: ReceiptRepository = {
    async create(receipt, entry) {
      const k = `${receipt.companyId}/${receipt.id}`;
      if (receipts.has(k)) return 'exists';
      receipts.set(k, structuredClone(receipt));
      history.set(k, [entry]);
      return 'created';
    },
    async get(companyId, id) {
      return structuredClone(receipts.get(`${companyId}/${id}`) ?? null);
    },
    async history(companyId, id) {
      return history.get(`${companyId}/${id}`) ?? [];
    },
    async list(companyId, { limit, employeeId }) {
      const items = [...receipts.values()]
        .filter((r) => r.companyId === companyId && (!employeeId || r.employeeId === employeeId))
        .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
        .slice(0, limit);
      return { items, nextCursor: null };
    },
    async transition(companyId, id, { from, to, patch, history: entry }) {
      const k = `${companyId}/${id}`;
      const current = receipts.get(k);
      if (!current || current.status !== from) throw new ConcurrentUpdateError(`receipt ${id} is no longer ${from}`);
      const next = { ...current, ...patch, status: to, updatedAt: entry.at };
      for (const [field, value] of Object.entries(patch))
        if (value === undefined) delete (next as Record<string, unknown>)[field];
      receipts.set(k, next);
      history.get(k)?.push(entry);
      return structuredClone(next);
    },
    async claim(companyId, scope, key, receiptId) {
      const k = `${companyId}/${scope}/${key}`;
      const owner = claims.get(k);
      if (!owner) claims.set(k, receiptId);
      return owner && owner !== receiptId ? owner : null;
    },
  };
  const documents: DocumentStore = {
    async put({ key, bytes }) {
      objects.set(key, bytes);
      return { bucket: 'documents', key };
    },
    async get(ref) {
      const b = objects.get(ref.key);
      if (!b) throw new Error('NoSuchKey');
      return b;
    },
    async presignGet(ref) {
      return `memory://${ref.bucket}/${ref.key}`;
    },
    async presignPut({ key }) {
      return `memory://documents/${key}?put`;
    },
    async head(ref) {
      const b = objects.get(ref.key);
      return b ? { size: b.length, contentType: null } : null;
    },
  };
  const directory: Directory = {
    async companyForInbox(address) {
      const companyId = inboxes.get(address);
      return companyId ? { companyId } : null;
    },
    async userByAddress(companyId, address) {
      const userId = addresses.get(`${companyId}/${address}`);
      return users.find((u) => u.companyId === companyId && u.userId === userId) ?? null;
    },
    async user(companyId, userId) {
      return users.find((u) => u.companyId === companyId && u.userId === userId) ?? null;
    },
    async company(companyId) {
      return companies.get(companyId) ?? null;
    },
  };
  const quarantine: QuarantineRepository = {
    async put(mail) {
      quarantined.push(mail);
    },
    async list(companyId, limit) {
      return quarantined.filter((m) => m.companyId === companyId).slice(0, limit);
    },
  };
  const events: EventPublisher = {
    async publish(e) {
      published.push(...e);
    },
  };
  return {
    deps: {
      receipts: receiptRepo,
      documents,
      directory,
      quarantine,
      events,
      sha256: (b: Uint8Array) => createHash('sha256').update(b).digest('hex'),
      mailer: {
        async send(mail: OutboundEmail) {
          sent.push(mail);
        },
      },
    },
    state: { receipts, objects, quarantined, published, sent, history },
    addCompany: (c: CompanyProfile) => companies.set(c.companyId, c),
    addInbox: (address: string, companyId: string) => inboxes.set(address, companyId),
    addUser: (user: DirectoryUser, ...extraAddresses: string[]) => {
      users.push(user);
      for (const a of [user.email, ...extraAddresses]) addresses.set(`${user.companyId}/${a}`, user.userId);
    },
  };
};
