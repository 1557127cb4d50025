import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AnalyzeExpenseResponse } from '@aws-sdk/client-textract';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/textract');
export const SHARED = resolve(import.meta.dirname, '../../../../shared/data/textract-responses');

export const RESPONSE_FILES = [
  'test_analyze_expense_from_path.json',
  'test_analyze_expense_from_image.json',
  'test_analyze_expense_no_summary_fields.json',
] as const;
export type ResponseFile = (typeof RESPONSE_FILES)[number];

export const loadResponse = (file: ResponseFile): AnalyzeExpenseResponse =>
  JSON.parse(readFileSync(resolve(FIXTURES, file), 'utf8')) as AnalyzeExpenseResponse;

/** A reference date after the receipts (2019, 2024) so the plausibility of their dates is stable. */
export const NOW = new Date('2026-06-01T00:00:00Z');
