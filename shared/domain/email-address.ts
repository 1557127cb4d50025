/**
 * Normalizes an e-mail address for lookups: lower case, and plus-addressing removed
 * ("Alice+receipts@Acme.fr" → "alice@acme.fr"), so an employee's tagged address is still theirs.
 */
export const normalizeAddress = (address: string): string => {
  const trimmed = address.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return trimmed;
  const local = trimmed.slice(0, at).split('+')[0] ?? '';
  return `${local}@${trimmed.slice(at + 1)}`;
};

const ADDRESS_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export const isPlausibleAddress = (address: string): boolean => ADDRESS_RE.test(address.trim());
