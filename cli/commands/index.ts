import type { Command } from '../command.ts';

/**
 * A command as the help lists it. Its module is loaded only when it runs: a command starts without loading the
 * others (the AWS SDK, the extraction engine…).
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

/** Every CLI command, in the order `quittance --help` lists them. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'token',
    summary: 'print a bearer token for a seeded user (local mode)',
    load: async () => (await import('./token.ts')).tokenCommand,
  },
  {
    name: 'extract',
    summary: 'extract receipts/invoices (PDF, image, Factur-X/UBL/CII, HTML, e-mail, OCR lines) to JSON lines',
    load: async () => (await import('./extract.ts')).extractCommand,
  },
  {
    name: 'reconcile',
    summary: 'match receipts to card transactions in batch (JSONL in, JSONL proposals out)',
    load: async () => (await import('./reconcile.ts')).reconcileCommand,
  },
  {
    name: 'fec',
    summary: 'export the FEC (fichier des écritures comptables) or check one',
    load: async () => (await import('./fec.ts')).fecCommand,
  },
  {
    name: 'accounting',
    summary: 'accounting queue operations (redrive the dead-letter queue)',
    load: async () => (await import('./accounting.ts')).accountingCommand,
  },
  {
    name: 'report',
    summary: 'month-end reports: card payments missing their receipt, VAT by rate (table or CSV)',
    load: async () => (await import('./report.ts')).reportCommand,
  },
  {
    name: 'webhooks',
    summary: 'outbound webhook endpoints: list them, read a delivery log, send a test event',
    load: async () => (await import('./webhooks.ts')).webhooksCommand,
  },
];
