/**
 * Category suggestion: the employee's own past choices for this vendor first, then the company's, then the vendor
 * table, then the merchant category code (ISO 18245). Every suggestion says why; a person's choice always wins.
 */
import { descriptorMatches, normalizeDescriptor } from '../cards/merchant.ts';
import type { CategoryChoice, ExpenseCategory, ExpenseType } from './expense.ts';

/** MCC ranges (inclusive) → category. Airline (3000–3299), car rental (3351–3441) and hotel (3501–3999) ranges. */
export const MCC_CATEGORIES: readonly { from: number; to: number; category: ExpenseCategory; label: string }[] = [
  { from: 3000, to: 3299, category: 'air-travel', label: 'airline' },
  { from: 3351, to: 3441, category: 'car-rental', label: 'car rental agency' },
  { from: 3501, to: 3999, category: 'hotel', label: 'hotel' },
  { from: 4011, to: 4011, category: 'train', label: 'railroad freight' },
  { from: 4111, to: 4111, category: 'public-transport', label: 'commuter transport' },
  { from: 4112, to: 4112, category: 'train', label: 'passenger railway' },
  { from: 4121, to: 4121, category: 'taxi', label: 'taxi / limousine' },
  { from: 4131, to: 4131, category: 'public-transport', label: 'bus line' },
  { from: 4511, to: 4511, category: 'air-travel', label: 'airline' },
  { from: 4784, to: 4784, category: 'parking-tolls', label: 'tolls and bridge fees' },
  { from: 4812, to: 4812, category: 'hardware', label: 'telecom equipment' },
  { from: 4814, to: 4814, category: 'telecom', label: 'telecommunication services' },
  { from: 4816, to: 4816, category: 'software', label: 'computer network / information services' },
  { from: 5044, to: 5044, category: 'office-supplies', label: 'office equipment' },
  { from: 5045, to: 5045, category: 'hardware', label: 'computers and peripherals' },
  { from: 5111, to: 5111, category: 'office-supplies', label: 'stationery and office supplies' },
  { from: 5192, to: 5192, category: 'books-training', label: 'books and periodicals' },
  { from: 5541, to: 5542, category: 'fuel', label: 'service station / automated fuel dispenser' },
  { from: 5732, to: 5732, category: 'hardware', label: 'electronics store' },
  { from: 5734, to: 5734, category: 'software', label: 'computer software store' },
  { from: 5811, to: 5811, category: 'meals', label: 'caterer' },
  { from: 5812, to: 5812, category: 'meals', label: 'restaurant' },
  { from: 5813, to: 5813, category: 'meals', label: 'bar' },
  { from: 5814, to: 5814, category: 'meals', label: 'fast food' },
  { from: 5817, to: 5818, category: 'software', label: 'digital goods' },
  { from: 5942, to: 5942, category: 'books-training', label: 'book store' },
  { from: 5943, to: 5943, category: 'office-supplies', label: 'stationery store' },
  { from: 5983, to: 5983, category: 'fuel', label: 'fuel dealer' },
  { from: 7011, to: 7011, category: 'hotel', label: 'hotel / motel' },
  { from: 7372, to: 7372, category: 'software', label: 'computer programming / data processing' },
  { from: 7512, to: 7512, category: 'car-rental', label: 'car rental' },
  { from: 7523, to: 7523, category: 'parking-tolls', label: 'parking' },
  { from: 8220, to: 8220, category: 'books-training', label: 'colleges and universities' },
  { from: 8299, to: 8299, category: 'books-training', label: 'schools and educational services' },
];

/** Vendors whose MCC misleads (Uber Eats is a meal, not a taxi) or that are common enough to name. First match wins. */
export const VENDOR_CATEGORIES: readonly { vendor: string; category: ExpenseCategory }[] = [
  { vendor: 'UBER EATS', category: 'meals' },
  { vendor: 'DELIVEROO', category: 'meals' },
  { vendor: 'UBER', category: 'taxi' },
  { vendor: 'G7', category: 'taxi' },
  { vendor: 'SNCF', category: 'train' },
  { vendor: 'OUIGO', category: 'train' },
  { vendor: 'TRAINLINE', category: 'train' },
  { vendor: 'RATP', category: 'public-transport' },
  { vendor: 'AIR FRANCE', category: 'air-travel' },
  { vendor: 'EASYJET', category: 'air-travel' },
  { vendor: 'TOTALENERGIES', category: 'fuel' },
  { vendor: 'AWS', category: 'software' },
  { vendor: 'AMAZON WEB SERVICES', category: 'software' },
  { vendor: 'GITHUB', category: 'software' },
  { vendor: 'ATLASSIAN', category: 'software' },
  { vendor: 'SLACK', category: 'software' },
  { vendor: 'NOTION', category: 'software' },
  { vendor: 'APRR', category: 'parking-tolls' },
  { vendor: 'VINCI AUTOROUTES', category: 'parking-tolls' },
  { vendor: 'INDIGO', category: 'parking-tolls' },
];

export const categoryForMcc = (mcc: string | null): { category: ExpenseCategory; label: string } | null => {
  if (!mcc || !/^\d{4}$/.test(mcc)) return null;
  const code = Number(mcc);
  const hit = MCC_CATEGORIES.find((r) => code >= r.from && code <= r.to);
  return hit ? { category: hit.category, label: hit.label } : null;
};

/** A past choice: a category a person picked (or kept) for an expense at this vendor. */
export interface PastChoice {
  employeeId: string;
  /** The merchant's normalized descriptor (normalizeDescriptor). */
  vendorKey: string;
  category: ExpenseCategory;
  /** ISO time of the choice: the most recent wins ties. */
  at: string;
}

const TYPE_CATEGORIES: Partial<Record<ExpenseType, ExpenseCategory>> = { mileage: 'mileage', 'per-diem': 'per-diem' };

/** The employee's own choices are trusted from one; the company's need at least this many agreeing choices. */
export const COMPANY_HISTORY_MIN_CHOICES = 2;

const mostFrequent = (choices: readonly PastChoice[]) => {
  const tally = new Map<ExpenseCategory, { count: number; last: string }>();
  for (const c of choices) {
    const t = tally.get(c.category) ?? { count: 0, last: '' };
    tally.set(c.category, { count: t.count + 1, last: c.at > t.last ? c.at : t.last });
  }
  return [...tally.entries()]
    .map(([category, t]) => ({ category, ...t }))
    .sort((a, b) => b.count - a.count || b.last.localeCompare(a.last))[0];
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Suggests a category with its explanation, or null when nothing points anywhere.
 * 1. Mileage and per diem have their own category.
 * 2. The employee's most frequent past choice at this vendor (ties: the most recent).
 * 3. The company's most frequent choice at this vendor, from at least COMPANY_HISTORY_MIN_CHOICES choices.
 * 4. The vendor table, then the MCC table.
 */
export const suggestCategory = (input: {
  type: ExpenseType;
  employeeId: string;
  merchantName: string | null;
  mcc: string | null;
  history: readonly PastChoice[];
}): CategoryChoice | null => {
  const byType = TYPE_CATEGORIES[input.type];
  if (byType) return { category: byType, source: 'type', explanation: `${input.type} expenses are always ${byType}` };

  const vendorKey = input.merchantName ? normalizeDescriptor(input.merchantName) : '';
  if (vendorKey) {
    const atVendor = input.history.filter((c) => c.vendorKey === vendorKey);
    const own = mostFrequent(atVendor.filter((c) => c.employeeId === input.employeeId));
    if (own) {
      return {
        category: own.category,
        source: 'employee-history',
        explanation: `you chose ${own.category} ${plural(own.count, 'time')} for ${vendorKey}`,
      };
    }
    const company = mostFrequent(atVendor);
    if (company && company.count >= COMPANY_HISTORY_MIN_CHOICES) {
      return {
        category: company.category,
        source: 'company-history',
        explanation: `your colleagues chose ${company.category} ${plural(company.count, 'time')} for ${vendorKey}`,
      };
    }
    const vendor = VENDOR_CATEGORIES.find((v) => descriptorMatches(vendorKey, v.vendor));
    if (vendor) {
      return {
        category: vendor.category,
        source: 'vendor',
        explanation: `${vendorKey} is a known ${vendor.category} vendor`,
      };
    }
  }
  const byMcc = categoryForMcc(input.mcc);
  if (byMcc) {
    return {
      category: byMcc.category,
      source: 'mcc',
      explanation: `merchant category code ${input.mcc} (${byMcc.label})`,
    };
  }
  return null;
};

/** A person's choice: always accepted, recorded as such. */
export const chooseCategory = (category: ExpenseCategory, by: string): CategoryChoice => ({
  category,
  source: 'chosen',
  explanation: `chosen by ${by}`,
});
