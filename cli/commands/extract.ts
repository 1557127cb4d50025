import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { contentTypeFor, makeBuiltinExtractor } from '../../shared/adapters/extraction/builtin.ts';
import { receiptToJson } from '../../shared/domain/extraction/model.ts';
import { type Command, UsageError } from '../command.ts';

const MAX_BYTES = 25 * 1024 * 1024;

/**
 * Extracts receipts and invoices with the built-in engine, offline: one JSON line per input, in input order.
 * A file that cannot be read prints status "failed" with the reason; the batch goes on; exit code 0.
 */
export const extractCommand: Command = {
  name: 'extract',
  usage: [
    'Usage: quittance extract [--country FR] [--currency EUR] FILE...',
    '',
    'Reads each file with the built-in engine (offline) and prints one JSON object per file, one line each:',
    '  {"file", "status": "extracted"|"failed", "error", "engine", "vendor", "date", "currency", "total",',
    '   "subtotal", "taxes": [{"rate", "base", "amount"}], "tip", "cardLast4", "lineItems", "confidence"}',
    'Engines: facturx, ubl, cii (e-invoices, exact), pdf-text, ocr (images, scanned PDFs), ocr-lines (.csv box',
    'lines x1,y1,…,x4,y4,text or .txt one line a row), html (.html, .eml bodies).',
    '  --country   ISO country of the merchant, for date order and number format (e.g. FR, US)',
    '  --currency  ISO currency to assume when the document prints none (e.g. EUR)',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { country: { type: 'string' }, currency: { type: 'string' } },
    });
    if (positionals.length === 0) throw new UsageError('at least one FILE is required');
    const hints: { country?: string; currency?: string } = {};
    if (values.country) hints.country = values.country.toUpperCase();
    if (values.currency) hints.currency = values.currency.toUpperCase();
    const extractor = makeBuiltinExtractor({ maxBytes: MAX_BYTES });
    try {
      for (const file of positionals) {
        let line: Record<string, unknown>;
        try {
          const info = await stat(file);
          if (!info.isFile()) throw new Error('not a regular file');
          if (info.size > MAX_BYTES) throw new Error(`file of ${info.size} bytes exceeds the ${MAX_BYTES}-byte limit`);
          const bytes = new Uint8Array(await readFile(file));
          const result = await extractor.extract({ bytes, contentType: contentTypeFor(file), fileName: file, hints });
          line = result.ok
            ? { file, status: 'extracted', ...receiptToJson(result.receipt) }
            : { file, status: 'failed', error: result.error, ...(result.engine ? { engine: result.engine } : {}) };
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const message =
            code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
          line = { file, status: 'failed', error: message };
        }
        process.stdout.write(`${JSON.stringify(line)}\n`);
      }
    } finally {
      await extractor.close();
    }
    return 0;
  },
};
