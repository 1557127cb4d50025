import { randomUUID } from 'node:crypto';
import { API } from '../../shared/api/contract.ts';
import type { UserInput, UserPatch } from '../../shared/domain/company.ts';
import { type CompanyDocument, documentState } from '../../shared/domain/company-documents.ts';
import { type Entity, patchEntity } from '../../shared/domain/entities.ts';
import type { Principal } from '../../shared/domain/identity.ts';
import { ConcurrentUpdateError } from '../../shared/ports/receipt-repository.ts';
import {
  BadRequestError,
  NotFoundError,
  parseBody,
  parseQuery,
  pathParam,
  type Route,
} from '../../shared/runtime/http.ts';

export interface StoredUser {
  userId: string;
  email: string;
  displayName: string;
  roles: string[];
  managerId: string | null;
  teamIds: string[];
  entityId: string | null;
  otherAddresses: string[];
  iban: string | null;
  active: boolean;
  deletedAt: string | null;
  createdAt: string;
}

export interface AdminStore {
  company(companyId: string): Promise<Record<string, unknown> | null>;
  putCompany(companyId: string, profile: Record<string, unknown>): Promise<void>;
  users(companyId: string): Promise<StoredUser[]>;
  user(companyId: string, userId: string): Promise<StoredUser | null>;
  /** Creates the user with its login and receipt addresses; false when the login e-mail is taken. */
  createUser(companyId: string, user: StoredUser): Promise<boolean>;
  /** Saves the user, moving its receipt addresses and login as they changed. */
  saveUser(companyId: string, before: StoredUser, after: StoredUser): Promise<void>;
  log(
    companyId: string,
    entry: { at: string; actor: string; action: string; target: string; before: unknown; after: unknown },
  ): Promise<void>;
  logs(companyId: string, limit: number): Promise<unknown[]>;
  entities(companyId: string): Promise<Entity[]>;
  putEntity(companyId: string, entity: Entity): Promise<void>;
  documents(companyId: string): Promise<CompanyDocument[]>;
  putDocument(companyId: string, doc: CompanyDocument): Promise<void>;
  deleteDocument(companyId: string, id: string): Promise<void>;
}

export interface DocumentFiles {
  /** A time-limited PUT link for exactly this type and size. */
  presignPut(input: {
    key: string;
    contentType: string;
    contentLength: number;
    expiresInSeconds: number;
  }): Promise<string>;
  /** A time-limited download link. */
  presignGet(key: string, fileName: string, expiresInSeconds: number): Promise<string>;
}

export interface AdminApiDeps {
  store: AdminStore;
  files: DocumentFiles;
  now: () => Date;
  newId: () => string;
}

const LINK_TTL_SECONDS = 900;

/** Company administration: the profile (checked identifiers), users and their lifecycle, an append-only log. */
export const makeRoutes = (deps: AdminApiDeps): Record<string, Route> => {
  const log = (p: Principal, action: string, target: string, before: unknown, after: unknown) =>
    deps.store.log(p.companyId, { at: deps.now().toISOString(), actor: p.userId, action, target, before, after });
  const existing = async (p: Principal, id: string) => {
    const u = await deps.store.user(p.companyId, id);
    if (!u || u.deletedAt) throw new NotFoundError(`user ${id} not found`);
    return u;
  };
  const checkEntity = async (p: Principal, entityId: string | null | undefined) => {
    if (!entityId) return;
    const e = (await deps.store.entities(p.companyId)).find((x) => x.id === entityId);
    if (!e?.active) throw new BadRequestError('entityId', 'no active entity with this id');
  };
  const entity = async (p: Principal, id: string) => {
    const e = (await deps.store.entities(p.companyId)).find((x) => x.id === id);
    if (!e) throw new NotFoundError(`entity ${id} not found`);
    return e;
  };
  const checkManager = async (p: Principal, managerId: string | null | undefined, self?: string) => {
    if (!managerId) return;
    if (managerId === self) throw new BadRequestError('managerId', 'a user cannot be their own manager');
    const m = await deps.store.user(p.companyId, managerId);
    if (!m?.active) throw new BadRequestError('managerId', 'no active user with this id');
  };
  const setActive =
    (active: boolean): Route =>
    async ({ principal, event }) => {
      const before = await existing(principal, pathParam(event, 'id'));
      if (before.userId === principal.userId && !active)
        throw new BadRequestError('id', 'you cannot deactivate yourself');
      const after = { ...before, active };
      await deps.store.saveUser(principal.companyId, before, after);
      await log(principal, active ? 'user.reactivate' : 'user.deactivate', before.userId, before, after);
      return { body: after };
    };

  return {
    'GET /company': async ({ principal }) => ({ body: (await deps.store.company(principal.companyId)) ?? null }),

    'PUT /company': async ({ principal, event }) => {
      const profile = parseBody(API['PUT /company'].body, event);
      const before = await deps.store.company(principal.companyId);
      await deps.store.putCompany(principal.companyId, profile);
      await log(principal, 'company.update', principal.companyId, before, profile);
      return { body: { ...before, ...profile } };
    },

    'GET /users': async ({ principal, event }) => {
      const q = parseQuery(API['GET /users'].query, event);
      const users = await deps.store.users(principal.companyId);
      return { body: { items: users.filter((u) => q.includeDeleted === 'true' || !u.deletedAt) } };
    },

    'POST /users': async ({ principal, event }) => {
      const input: UserInput = parseBody(API['POST /users'].body, event);
      await checkManager(principal, input.managerId);
      await checkEntity(principal, input.entityId);
      const user: StoredUser = {
        userId: `u_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
        ...input,
        active: true,
        deletedAt: null,
        createdAt: deps.now().toISOString(),
      };
      if (!(await deps.store.createUser(principal.companyId, user))) {
        throw new ConcurrentUpdateError(`${input.email} already has a Quittance login`);
      }
      await log(principal, 'user.create', user.userId, null, user);
      return { status: 201, body: user };
    },

    'PATCH /users/{id}': async ({ principal, event }) => {
      const before = await existing(principal, pathParam(event, 'id'));
      const patch: UserPatch = parseBody(API['PATCH /users/{id}'].body, event);
      await checkManager(principal, patch.managerId, before.userId);
      await checkEntity(principal, patch.entityId);
      if (before.userId === principal.userId && patch.roles && !patch.roles.includes('admin')) {
        throw new BadRequestError('roles', 'you cannot remove your own admin role');
      }
      const after: StoredUser = { ...before, ...patch };
      await deps.store.saveUser(principal.companyId, before, after);
      await log(principal, 'user.update', before.userId, before, after);
      return { body: after };
    },

    'POST /users/{id}/deactivate': setActive(false),
    'POST /users/{id}/reactivate': setActive(true),

    'DELETE /users/{id}': async ({ principal, event }) => {
      const before = await existing(principal, pathParam(event, 'id'));
      if (before.userId === principal.userId) throw new BadRequestError('id', 'you cannot delete yourself');
      // Deleted, not erased: receipts, expenses and the audit trail keep pointing at them.
      const after: StoredUser = { ...before, active: false, deletedAt: deps.now().toISOString(), otherAddresses: [] };
      await deps.store.saveUser(principal.companyId, before, after);
      await log(principal, 'user.delete', before.userId, before, after);
      return { body: after };
    },

    'GET /entities': async ({ principal }) => ({ body: { items: await deps.store.entities(principal.companyId) } }),

    'POST /entities': async ({ principal, event }) => {
      const input = parseBody(API['POST /entities'].body, event);
      const all = await deps.store.entities(principal.companyId);
      if (all.some((e) => e.siren === input.siren))
        throw new ConcurrentUpdateError(`an entity with SIREN ${input.siren} exists`);
      const created: Entity = {
        ...input,
        id: `ent_${deps.newId()}`,
        active: true,
        createdAt: deps.now().toISOString(),
      };
      await deps.store.putEntity(principal.companyId, created);
      await log(principal, 'entity.create', created.id, null, created);
      return { status: 201, body: created };
    },

    'PATCH /entities/{id}': async ({ principal, event }) => {
      const before = await entity(principal, pathParam(event, 'id'));
      const after = patchEntity(before, parseBody(API['PATCH /entities/{id}'].body, event));
      await deps.store.putEntity(principal.companyId, after);
      await log(
        principal,
        after.active === before.active ? 'entity.update' : after.active ? 'entity.reactivate' : 'entity.deactivate',
        before.id,
        before,
        after,
      );
      return { body: after };
    },

    'GET /company/documents': async ({ principal }) => {
      const now = deps.now();
      const docs = await deps.store.documents(principal.companyId);
      const items = await Promise.all(
        docs
          .sort((a, b) => (a.expiresOn ?? '9999').localeCompare(b.expiresOn ?? '9999'))
          .map(async ({ key, reminded: _, ...d }) => ({
            ...d,
            state: documentState(d, now),
            downloadUrl: await deps.files.presignGet(key, d.fileName, LINK_TTL_SECONDS),
          })),
      );
      return { body: { items } };
    },

    'POST /company/documents': async ({ principal, event }) => {
      const input = parseBody(API['POST /company/documents'].body, event);
      await checkEntity(principal, input.entityId);
      const id = `doc_${deps.newId()}`;
      const key = `company-documents/${principal.companyId}/${id}/${encodeURIComponent(input.fileName)}`;
      const doc: CompanyDocument = {
        ...input,
        id,
        key,
        uploadedBy: principal.userId,
        createdAt: deps.now().toISOString(),
        reminded: [],
      };
      const url = await deps.files.presignPut({
        key,
        contentType: input.contentType,
        contentLength: input.size,
        expiresInSeconds: LINK_TTL_SECONDS,
      });
      await deps.store.putDocument(principal.companyId, doc);
      await log(principal, 'document.create', id, null, { ...doc, key: undefined });
      return {
        status: 201,
        body: {
          document: { ...input, id, state: documentState(doc, deps.now()) },
          upload: {
            method: 'PUT',
            url,
            headers: { 'content-type': input.contentType, 'content-length': String(input.size) },
            expiresAt: new Date(deps.now().getTime() + LINK_TTL_SECONDS * 1000).toISOString(),
          },
        },
      };
    },

    'DELETE /company/documents/{id}': async ({ principal, event }) => {
      const id = pathParam(event, 'id');
      const doc = (await deps.store.documents(principal.companyId)).find((d) => d.id === id);
      if (!doc) throw new NotFoundError(`document ${id} not found`);
      await deps.store.deleteDocument(principal.companyId, id);
      await log(principal, 'document.delete', id, { ...doc, key: undefined }, null);
      return { body: { deleted: id } };
    },

    'GET /admin/log': async ({ principal, event }) => {
      const q = parseQuery(API['GET /admin/log'].query, event);
      return { body: { items: await deps.store.logs(principal.companyId, q.limit) } };
    },
  };
};
