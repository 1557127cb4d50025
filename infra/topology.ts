import { defineTopology } from './topology-types.ts';

/**
 * The single source of truth of the system's shape. Adding a function is one entry here plus its folder
 * under functions/; the CDK app and the local cloud both read this.
 */
export const topology = defineTopology({
  app: 'quittance',
  tables: {
    main: {
      partitionKey: 'pk',
      sortKey: 'sk',
      indexes: {
        gsi1: ['gsi1pk', 'gsi1sk'],
        gsi2: ['gsi2pk', 'gsi2sk'],
        gsi3: ['gsi3pk', 'gsi3sk'],
        gsi4: ['gsi4pk', 'gsi4sk'],
      },
      ttlAttribute: 'expiresAt',
    },
  },
  buckets: {
    rawMail: { purpose: 'raw MIME of every inbound e-mail, as SES stores it, before any parsing' },
    documents: {
      purpose: 'receipt documents (attachments, uploads), keyed by company and content hash',
      expireAfterDays: { 'uploads/': 30 },
    },
    exports: { purpose: 'generated exports (FEC, CSV, SEPA)', expireAfterDays: { 'tmp/': 7 } },
    rawEvents: { purpose: 'every verified card-processor webhook as received, before it is parsed' },
  },
  queues: {
    cardActivity: {
      // Side work of card activity, off the authorization's critical path, consumed in batches.
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 5,
      subscribe: {
        source: ['quittance.cards'],
        'detail-type': ['CardAuthorizationDecided', 'CardTransactionPosted', 'CardAuthorizationEnded'],
      },
    },
    extraction: {
      // Above the extract function's timeout, as Lambda requires for an event source.
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      subscribe: { source: ['quittance.receipts'], 'detail-type': ['ReceiptReceived'] },
    },
    textractResults: {
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      textractCompletions: true,
    },
    accounting: {
      // One message group per company: entries reach the accounting system in numbering order.
      fifo: true,
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 8,
    },
    webhookEvents: {
      // The internal events finance tools can subscribe to (shared/domain/webhooks/events.ts maps them).
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 5,
      subscribe: {
        source: [
          'quittance.expenses',
          'quittance.ledger',
          'quittance.receipts',
          'quittance.matching',
          'quittance.cards',
        ],
        'detail-type': [
          'ExpenseApproved',
          'ExpenseRejected',
          'ExpenseBooked',
          'JournalEntryPosted',
          'ReceiptExtracted',
          'ReceiptMatched',
          'CardTransactionPosted',
          'ReimbursementBatchCreated',
        ],
      },
    },
    webhookDeliveries: {
      // One message per (event, endpoint); retried with backoff through its visibility, 8 attempts (< 10).
      visibilityTimeoutSeconds: 60,
      maxReceiveCount: 10,
    },
  },
  functions: {
    emailIntake: {
      entry: 'functions/email-intake/handler.ts',
      description: 'Turns a raw inbound e-mail stored by SES into receipts (or a quarantined message)',
      trigger: { type: 'objectCreated', bucket: 'rawMail', prefix: 'inbound/' },
      uses: {
        buckets: { rawMail: 'read', documents: 'readWrite' },
        tables: { main: 'readWrite' },
        putEvents: true,
        sendEmail: true,
      },
      timeoutSeconds: 60,
      memoryMB: 1024,
    },
    uploadIntake: {
      entry: 'functions/upload-intake/handler.ts',
      description: 'Turns a file uploaded through a presigned PUT into a receipt',
      trigger: { type: 'objectCreated', bucket: 'documents', prefix: 'uploads/' },
      uses: { buckets: { documents: 'readWrite' }, tables: { main: 'readWrite' }, putEvents: true },
      timeoutSeconds: 30,
      memoryMB: 512,
    },
    extract: {
      entry: 'functions/extract/handler.ts',
      description: 'Reads receipts (built-in engine or Textract) and records what they say',
      trigger: { type: 'queue', queue: 'extraction', batchSize: 5, maxConcurrency: 4 },
      uses: {
        buckets: { documents: 'read' },
        tables: { main: 'readWrite' },
        queues: { extraction: 'consume' },
        textract: true,
        putEvents: true,
      },
      timeoutSeconds: 120,
      memoryMB: 2048,
    },
    cardActivity: {
      entry: 'functions/card-activity/handler.ts',
      description:
        'Card activity off the critical path, in batches: the weekly cash-out report and the receipt slots of approved authorizations',
      // Gathered for up to a second: one report write, one receive and one delete per ten authorizations.
      trigger: { type: 'queue', queue: 'cardActivity', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 2 },
      uses: { tables: { main: 'readWrite' }, queues: { cardActivity: 'consume' }, putEvents: true },
      timeoutSeconds: 30,
      memoryMB: 512,
    },
    match: {
      entry: 'functions/match/handler.ts',
      description: 'Links receipts and card transactions online (explained scores, suggestions below the threshold)',
      trigger: {
        type: 'event',
        pattern: {
          source: ['quittance.receipts', 'quittance.cards'],
          'detail-type': ['ReceiptExtracted', 'CardTransactionPosted'],
        },
      },
      uses: { tables: { main: 'readWrite' }, putEvents: true },
      timeoutSeconds: 30,
      memoryMB: 512,
    },
    expenseIntake: {
      entry: 'functions/expense-intake/handler.ts',
      description: 'A matched card payment becomes a card expense: categorized, checked against policy, routed',
      trigger: {
        type: 'event',
        pattern: {
          source: ['quittance.matching', 'quittance.ledger'],
          'detail-type': ['ReceiptMatched', 'JournalEntryPosted'],
        },
      },
      uses: { tables: { main: 'readWrite' }, putEvents: true },
      timeoutSeconds: 30,
      memoryMB: 512,
    },
    booking: {
      entry: 'functions/booking/handler.ts',
      description:
        'Books approved expenses and card refunds: balanced, numbered journal entries (French VAT rules), queued for accounting',
      trigger: {
        type: 'event',
        pattern: {
          source: ['quittance.expenses', 'quittance.matching'],
          'detail-type': ['ExpenseApproved', 'ReimbursementBatchCreated', 'RefundMatched'],
        },
      },
      uses: { tables: { main: 'readWrite' }, queues: { accounting: 'send' }, putEvents: true },
      timeoutSeconds: 30,
      memoryMB: 512,
    },
    accountingPush: {
      entry: 'functions/accounting-push/handler.ts',
      description: 'Pushes journal entries to the company’s accounting system, exactly once, in order',
      trigger: { type: 'queue', queue: 'accounting', batchSize: 10, maxConcurrency: 2 },
      uses: { tables: { main: 'readWrite' }, queues: { accounting: 'consume' }, putEvents: true },
      settings: ['ACCOUNTING_API_URL'],
      timeoutSeconds: 30,
      memoryMB: 512,
    },
    approvalNotify: {
      entry: 'functions/approval-notify/handler.ts',
      description: 'E-mails approvers their signed, single-use approve and reject links',
      trigger: {
        type: 'event',
        pattern: { source: ['quittance.expenses'], 'detail-type': ['ExpenseApprovalRequested'] },
      },
      uses: { tables: { main: 'read' }, sendEmail: true },
      settings: ['APPROVAL_LINK_SECRET', 'PUBLIC_API_URL'],
      timeoutSeconds: 30,
      memoryMB: 256,
    },
    approvalLinks: {
      entry: 'functions/approval-links/handler.ts',
      description: 'The approve/reject links of approval e-mails: confirmation page, then a single-use decision',
      trigger: {
        type: 'http',
        routes: ['GET /approvals/links/{token}', 'POST /approvals/links/{token}'],
        auth: 'none',
      },
      uses: { tables: { main: 'readWrite' }, putEvents: true },
      settings: ['APPROVAL_LINK_SECRET'],
      timeoutSeconds: 10,
      memoryMB: 256,
    },
    apiDocs: {
      entry: 'functions/api-docs/handler.ts',
      description: 'The OpenAPI 3.1 document of the HTTP API and its readable docs page, generated from the contract',
      trigger: { type: 'http', routes: ['GET /openapi.json', 'GET /docs'], auth: 'none' },
      uses: {},
      timeoutSeconds: 5,
      memoryMB: 256,
    },
    adminApi: {
      entry: 'functions/admin-api/handler.ts',
      description:
        'Company administration: profile, entities, users and their lifecycle, company documents, the admin log',
      trigger: {
        type: 'http',
        routes: [
          'GET /company',
          'PUT /company',
          'GET /users',
          'POST /users',
          'PATCH /users/{id}',
          'POST /users/{id}/deactivate',
          'POST /users/{id}/reactivate',
          'DELETE /users/{id}',
          'GET /admin/log',
          'GET /entities',
          'POST /entities',
          'PATCH /entities/{id}',
          'GET /company/documents',
          'POST /company/documents',
          'DELETE /company/documents/{id}',
        ],
        auth: 'jwt',
      },
      uses: { tables: { main: 'readWrite' }, buckets: { documents: 'readWrite' } },
      timeoutSeconds: 10,
      memoryMB: 256,
    },
    exportsApi: {
      entry: 'functions/exports-api/handler.ts',
      description:
        'Exports and reports for finance: FEC, journal (CSV, JSON), spend from maintained aggregates, missing receipts',
      trigger: {
        type: 'http',
        routes: [
          'GET /exports/fec',
          'GET /exports/journal',
          'GET /reports/spend',
          'GET /reports/missing-receipts',
          'GET /reports/cash-out',
        ],
        auth: 'jwt',
      },
      uses: { tables: { main: 'read' } },
      timeoutSeconds: 30,
      memoryMB: 1024,
    },
    expensesApi: {
      entry: 'functions/expenses-api/handler.ts',
      description: 'Expenses, approvals queue, approve and reject, with the audit trail',
      trigger: {
        type: 'http',
        routes: [
          'GET /expenses',
          'POST /expenses',
          'GET /expenses/{id}',
          'GET /policies',
          'PUT /policies',
          'POST /reimbursements',
          'PUT /delegations',
          'GET /approvals',
          'POST /expenses/{id}/approve',
          'POST /expenses/{id}/reject',
        ],
        auth: 'jwt',
      },
      uses: { buckets: { documents: 'read' }, tables: { main: 'readWrite' }, putEvents: true },
      timeoutSeconds: 10,
      memoryMB: 512,
    },
    cardWebhook: {
      entry: 'functions/card-webhook/handler.ts',
      description: 'Card processors’ webhooks: real-time authorizations, authorization updates, transactions',
      trigger: { type: 'http', routes: ['POST /webhooks/{processor}'], auth: 'none' },
      uses: {
        buckets: { rawEvents: 'write' },
        tables: { main: 'readWrite' },
        putEvents: true,
        webhookSecrets: true,
      },
      timeoutSeconds: 10,
      memoryMB: 1024,
      // Stripe waits 2 s for an authorization answer: no cold start on that path.
      warm: true,
    },
    cardsApi: {
      entry: 'functions/cards-api/handler.ts',
      description: 'Finance API over card controls: budgets, caps, lists, spend to date, decisions',
      trigger: {
        type: 'http',
        routes: [
          'GET /cards/controls',
          'PUT /cards/controls',
          'GET /cards/budgets',
          'GET /cards/authorizations',
          'PUT /cards/{processor}/{cardId}',
          'GET /cards/transactions',
          'POST /cards/transactions/{id}/lost-receipt',
          'POST /cards/transactions/{id}/lost-receipt/decision',
        ],
        auth: 'jwt',
      },
      uses: { tables: { main: 'readWrite' } },
      timeoutSeconds: 10,
      memoryMB: 512,
    },
    textractComplete: {
      entry: 'functions/textract-complete/handler.ts',
      description: 'Finishes receipts read by an asynchronous Textract job (multi-page documents)',
      trigger: { type: 'queue', queue: 'textractResults', batchSize: 5, maxConcurrency: 2 },
      uses: {
        tables: { main: 'readWrite' },
        queues: { textractResults: 'consume' },
        putEvents: true,
        textract: true,
      },
      timeoutSeconds: 120,
      memoryMB: 512,
    },
    reminders: {
      entry: 'functions/reminders/handler.ts',
      description:
        'Daily: reminds of card payments without a receipt, of waiting approvals (escalating both) and of expiring company documents',
      trigger: { type: 'schedule', expression: 'rate(1 day)' },
      uses: { tables: { main: 'readWrite' }, sendEmail: true, putEvents: true },
      timeoutSeconds: 300,
      memoryMB: 512,
    },
    webhooksApi: {
      entry: 'functions/webhooks-api/handler.ts',
      description: 'Outbound webhook endpoints for finance tools: register, change, rotate secrets, delivery log',
      trigger: {
        type: 'http',
        routes: [
          'GET /webhook-endpoints',
          'POST /webhook-endpoints',
          'GET /webhook-endpoints/{id}',
          'PATCH /webhook-endpoints/{id}',
          'DELETE /webhook-endpoints/{id}',
          'POST /webhook-endpoints/{id}/rotate-secret',
          'GET /webhook-endpoints/{id}/deliveries',
          'POST /webhook-endpoints/{id}/test',
        ],
        auth: 'jwt',
      },
      uses: { tables: { main: 'readWrite' }, queues: { webhookDeliveries: 'send' } },
      settings: ['WEBHOOKS_ALLOW_LOOPBACK_HTTP'],
      timeoutSeconds: 10,
      memoryMB: 256,
    },
    webhookFanout: {
      entry: 'functions/webhook-fanout/handler.ts',
      description: 'Turns each exposed event into one delivery message per endpoint listening to its type',
      trigger: { type: 'queue', queue: 'webhookEvents', batchSize: 10, maxConcurrency: 2 },
      uses: { tables: { main: 'read' }, queues: { webhookEvents: 'consume', webhookDeliveries: 'send' } },
      timeoutSeconds: 30,
      memoryMB: 256,
    },
    webhookDeliver: {
      entry: 'functions/webhook-deliver/handler.ts',
      description:
        'Signed webhook deliveries (Standard Webhooks), at most once per endpoint and event, retried with backoff',
      trigger: { type: 'queue', queue: 'webhookDeliveries', batchSize: 5, maxConcurrency: 4 },
      uses: { tables: { main: 'readWrite' }, queues: { webhookDeliveries: 'consume' }, sendEmail: true },
      settings: ['WEBHOOKS_ALLOW_LOOPBACK_HTTP', 'WEBHOOK_RETRY_BASE_MS'],
      timeoutSeconds: 45,
      memoryMB: 256,
    },
    receiptsApi: {
      entry: 'functions/receipts-api/handler.ts',
      description: 'Finance API over receipts: list, detail, upload, quarantine, retry',
      trigger: {
        type: 'http',
        routes: [
          'GET /receipts',
          'GET /receipts/{id}',
          'POST /receipts/uploads',
          'POST /receipts/{id}/retry',
          'POST /receipts/{id}/link',
          'POST /receipts/{id}/unlink',
          'GET /quarantine',
        ],
        auth: 'jwt',
      },
      uses: { buckets: { documents: 'readWrite' }, tables: { main: 'readWrite' }, putEvents: true },
      timeoutSeconds: 10,
      memoryMB: 512,
    },
  },
});

export type AppTopology = typeof topology;
export type FunctionName = keyof AppTopology['functions'];
export type BucketName = keyof AppTopology['buckets'];
export type TableName = keyof AppTopology['tables'];
