import type { Role } from '../domain/identity.ts';

export interface DirectoryUser {
  companyId: string;
  userId: string;
  displayName: string;
  email: string;
  roles: readonly Role[];
  active: boolean;
}

export type ExtractionEngineChoice = 'builtin' | 'textract';

export interface CompanyProfile {
  companyId: string;
  legalName: string;
  country: string;
  currency: string;
  /** Which engine reads this company's receipts (default: the built-in engine). */
  extractionEngine: ExtractionEngineChoice;
}

/** Who is who: the company behind a receipts inbox, the user behind an address, a company's settings. */
export interface Directory {
  /** The company that receives receipts at this (normalized) address, or null. */
  companyForInbox(address: string): Promise<{ companyId: string } | null>;
  /** The user of this company registered with this (normalized) address, or null. */
  userByAddress(companyId: string, address: string): Promise<DirectoryUser | null>;
  user(companyId: string, userId: string): Promise<DirectoryUser | null>;
  company(companyId: string): Promise<CompanyProfile | null>;
}
