import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { cardKeys } from '../../shared/adapters/dynamodb/cards.ts';
import { keys } from '../../shared/adapters/dynamodb/keys.ts';
import type { Role } from '../../shared/domain/identity.ts';

/** The receipts domain of the local cloud: mail to any address under it reaches the SMTP server. */
export const LOCAL_MAIL_DOMAIN = 'quittance.local';

export interface SeedUser {
  userId: string;
  displayName: string;
  email: string;
  /** Other addresses the user sends receipts from. */
  otherAddresses?: string[];
  roles: Role[];
  managerId?: string;
  card?: { processor: 'stripe' | 'lithic' | 'marqeta'; last4: string; cardId: string };
  teamIds?: string[];
  /** For out-of-pocket reimbursements (SEPA). */
  iban?: string;
}

export const DEMO_COMPANY = {
  companyId: 'demo',
  legalName: 'Démo Conseil SAS',
  siren: '912345675',
  country: 'FR',
  currency: 'EUR',
  receiptsAddress: `receipts@demo.${LOCAL_MAIL_DOMAIN}`,
  iban: 'FR7630006000011234567890189',
  bic: 'BNPAFRPPXXX',
};

export const DEMO_USERS: readonly SeedUser[] = [
  { userId: 'u_admin', displayName: 'Claire Admin', email: `admin@demo.${LOCAL_MAIL_DOMAIN}`, roles: ['admin'] },
  { userId: 'u_finance', displayName: 'Farid Finance', email: `finance@demo.${LOCAL_MAIL_DOMAIN}`, roles: ['finance'] },
  {
    userId: 'u_auditor',
    displayName: 'Aude Auditrice',
    email: `auditor@demo.${LOCAL_MAIL_DOMAIN}`,
    roles: ['auditor'],
  },
  {
    userId: 'u_manager',
    displayName: 'Manon Manager',
    email: `manager@demo.${LOCAL_MAIL_DOMAIN}`,
    roles: ['approver', 'employee'],
  },
  {
    userId: 'u_alice',
    displayName: 'Alice Martin',
    email: `alice@demo.${LOCAL_MAIL_DOMAIN}`,
    otherAddresses: ['alice.martin@example.com'],
    iban: 'FR1420041010050500013M02606',
    roles: ['employee'],
    managerId: 'u_manager',
    teamIds: ['sales'],
    card: { processor: 'stripe', last4: '4242', cardId: 'ic_demo_alice' },
  },
  {
    userId: 'u_bob',
    displayName: 'Bob Durand',
    email: `bob@demo.${LOCAL_MAIL_DOMAIN}`,
    roles: ['employee'],
    managerId: 'u_manager',
    teamIds: ['sales'],
    card: { processor: 'lithic', last4: '5555', cardId: 'lithic_card_demo_bob' },
  },
];

/** The demo company's card controls: budgets, caps, lists (edit them through the API). */
export const DEMO_CONTROLS = {
  companyId: 'demo',
  currency: 'EUR',
  timeZone: 'Europe/Paris',
  fallback: 'decline',
  decisionTimeoutMs: 1500,
  perTransactionCap: { amount: '2000.00', currency: 'EUR' },
  mcc: { allow: [], block: ['7995'] },
  merchants: { allow: [], block: ['CASINO'] },
  blockedCountries: ['KP', 'IR'],
  overdueReceiptLockDays: 30,
  budgets: [
    {
      id: 'alice-monthly',
      name: 'Alice, monthly',
      scope: { kind: 'employee', employeeId: 'u_alice' },
      period: { kind: 'month' },
      limit: { amount: '1500.00', currency: 'EUR' },
    },
    {
      id: 'bob-monthly',
      name: 'Bob, monthly',
      scope: { kind: 'employee', employeeId: 'u_bob' },
      period: { kind: 'month' },
      limit: { amount: '1000.00', currency: 'EUR' },
    },
    {
      id: 'sales-quarterly',
      name: 'Sales team, quarterly',
      scope: { kind: 'team', teamId: 'sales' },
      period: { kind: 'quarter' },
      limit: { amount: '10000.00', currency: 'EUR' },
    },
  ],
};

/** The demo company's spending policy (version 1) and approval chain: the manager, then finance above 25 €. */
export const DEMO_POLICY = {
  companyId: 'demo',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00Z',
  currency: 'EUR',
  rules: [
    {
      id: 'meals-limit',
      severity: 'warn',
      type: 'category-limit',
      category: 'meals',
      perExpense: { amount: '150.00', currency: 'EUR' },
    },
    { id: 'receipt', severity: 'block', type: 'receipt-required', above: { amount: '0.00', currency: 'EUR' } },
    { id: 'vat-invoice', severity: 'warn', type: 'vat-invoice-required' },
    { id: 'no-gambling', severity: 'block', type: 'forbidden-mcc', mccs: ['7995'] },
    { id: 'weekend', severity: 'warn', type: 'weekend-spend' },
    { id: 'late', severity: 'warn', type: 'late-submission', afterDays: 60 },
  ],
};

export const DEMO_CHAIN = {
  companyId: 'demo',
  version: 1,
  currency: 'EUR',
  rules: [
    {
      id: 'above-25',
      when: { minAmount: { amount: '25.00', currency: 'EUR' } },
      steps: [
        { name: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] },
        { name: 'finance', mode: 'any', approvers: [{ kind: 'role', role: 'finance' }] },
      ],
    },
    { id: 'default', when: {}, steps: [{ name: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }] },
  ],
  autoApproveBelow: { amount: '10.00', currency: 'EUR' },
};

/** A second company, so anyone can see that one company never reaches another's data. */
export const OTHER_COMPANY = {
  companyId: 'rival',
  legalName: 'Rival Industries SARL',
  siren: '732829320',
  country: 'FR',
  currency: 'EUR',
  receiptsAddress: `receipts@rival.${LOCAL_MAIL_DOMAIN}`,
  iban: 'DE89370400440532013000',
  bic: 'COBADEFFXXX',
};

export const OTHER_USERS: readonly SeedUser[] = [
  {
    userId: 'u_rival_admin',
    displayName: 'Rita Rival',
    email: `admin@rival.${LOCAL_MAIL_DOMAIN}`,
    roles: ['admin', 'finance'],
  },
  { userId: 'u_rival_emp', displayName: 'Rémi Rival', email: `remi@rival.${LOCAL_MAIL_DOMAIN}`, roles: ['employee'] },
];

/** Writes the demo companies on first start; a later start leaves existing data untouched. */
export const seedDemoCompany = async (ddb: DynamoDBDocumentClient, table: string): Promise<boolean> => {
  const seeded = await seedCompany(ddb, table, DEMO_COMPANY, DEMO_USERS);
  await seedCompany(ddb, table, OTHER_COMPANY, OTHER_USERS);
  return seeded;
};

const seedCompany = async (
  ddb: DynamoDBDocumentClient,
  table: string,
  company: typeof DEMO_COMPANY,
  users: readonly SeedUser[],
): Promise<boolean> => {
  const existing = await ddb.send(new GetCommand({ TableName: table, Key: keys.company(company.companyId) }));
  if (existing.Item) return false;
  const now = new Date().toISOString();
  const { companyId } = company;
  const put = (Item: Record<string, unknown>) => ddb.send(new PutCommand({ TableName: table, Item }));
  await put({ ...keys.inbox(company.receiptsAddress), entity: 'Inbox', companyId });
  for (const u of users) {
    await put({
      ...keys.user(companyId, u.userId),
      entity: 'User',
      companyId,
      userId: u.userId,
      displayName: u.displayName,
      email: u.email,
      roles: u.roles,
      managerId: u.managerId ?? null,
      teamIds: u.teamIds ?? [],
      ...(u.iban ? { iban: u.iban } : {}),
      active: true,
      createdAt: now,
    });
    for (const address of [u.email, ...(u.otherAddresses ?? [])]) {
      await put({ ...keys.userAddress(companyId, address), entity: 'UserAddress', userId: u.userId });
    }
    await put({ ...keys.login(u.email), entity: 'Login', companyId, userId: u.userId });
    if (u.card) {
      await put({
        pk: `C#${companyId}`,
        sk: `CARD#${u.card.cardId}`,
        entity: 'Card',
        companyId,
        userId: u.userId,
        ...u.card,
      });
      await put({ ...cardKeys.cardRoute(u.card.processor, u.card.cardId), companyId, employeeId: u.userId });
    }
  }
  if (companyId === DEMO_COMPANY.companyId) {
    // The demo company owns the local processor accounts: an unknown card shows up unassigned there.
    for (const processor of ['stripe', 'lithic', 'marqeta'] as const) {
      await put({ ...cardKeys.accountRoute(processor), companyId });
    }
    await put({ ...cardKeys.controls(companyId), entity: 'Controls', controls: JSON.stringify(DEMO_CONTROLS) });
    await put({ pk: `C#${companyId}`, sk: 'POLICY#000001', entity: 'POLICY', json: JSON.stringify(DEMO_POLICY) });
    await put({ pk: `C#${companyId}`, sk: 'CHAIN#000001', entity: 'CHAIN', json: JSON.stringify(DEMO_CHAIN) });
  }
  await put({ pk: 'COMPANIES', sk: companyId, entity: 'CompanyIndex' });
  await put({ ...keys.company(companyId), entity: 'Company', ...company, createdAt: now });
  return true;
};

/** The local identity provider's user lookup (Cognito does this in AWS). */
export const findLogin = async (ddb: DynamoDBDocumentClient, table: string, email: string) => {
  const login = await ddb.send(new GetCommand({ TableName: table, Key: keys.login(email.trim().toLowerCase()) }));
  if (!login.Item) return null;
  const user = await ddb.send(
    new GetCommand({ TableName: table, Key: keys.user(String(login.Item.companyId), String(login.Item.userId)) }),
  );
  if (!user.Item || user.Item.active === false) return null;
  return {
    sub: String(user.Item.userId),
    email: String(user.Item.email),
    companyId: String(user.Item.companyId),
    groups: (user.Item.roles as string[]) ?? [],
  };
};
