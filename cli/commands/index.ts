import type { Command } from '../command.ts';
import { accountingCommand } from './accounting.ts';
import { extractCommand } from './extract.ts';
import { fecCommand } from './fec.ts';
import { reconcileCommand } from './reconcile.ts';
import { reportCommand } from './report.ts';
import { tokenCommand } from './token.ts';
import { webhooksCommand } from './webhooks.ts';

/** Every CLI command, in the order `quittance --help` lists them. */
export const commands: readonly Command[] = [
  tokenCommand,
  extractCommand,
  reconcileCommand,
  fecCommand,
  accountingCommand,
  reportCommand,
  webhooksCommand,
];
