export interface QuarantinedMail {
  companyId: string | null;
  mailId: string;
  reason: string;
  from: string | null;
  subject: string | null;
  rawObject: { bucket: string; key: string };
  quarantinedAt: string;
}

/** Inbound mail that could not become someone's receipt: kept with its reason, visible to admins. */
export interface QuarantineRepository {
  put(mail: QuarantinedMail): Promise<void>;
  list(companyId: string | null, limit: number): Promise<QuarantinedMail[]>;
}
