import { createHash } from 'node:crypto';
import type { Receipt, ReceiptHistoryEntry } from '../../shared/domain/receipts/receipt.ts';
import type { Directory, DirectoryUser } from '../../shared/ports/directory.ts';
import type { DocumentStore } from '../../shared/ports/document-store.ts';
import type { DomainEvent, EventPublisher } from '../../shared/ports/event-publisher.ts';
import type { QuarantinedMail, QuarantineRepository } from '../../shared/ports/quarantine-repository.ts';
import type { ReceiptRepository } from '../../shared/ports/receipt-repository.ts';

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
    },
    state: { receipts, objects, quarantined, published },
    addInbox: (address: string, companyId: string) => inboxes.set(address, companyId),
    addUser: (user: DirectoryUser, ...extraAddresses: string[]) => {
      users.push(user);
      for (const a of [user.email, ...extraAddresses]) addresses.set(`${user.companyId}/${a}`, user.userId);
    },
  };
};
