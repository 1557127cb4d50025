/**
 * Merchant names: normalizing card descriptors and receipt vendor names, and a similarity in [0, 1].
 *
 * Card descriptors are short (22 characters on most networks), upper-case, prefixed by payment facilitators
 * ("SQ *", "TST* ", "PAYPAL *", "SUMUP *", "ZETTLE_*"…), suffixed with store numbers, city and country,
 * and cut mid-word. Receipt vendors carry legal suffixes (SAS, SARL, LTD, INC…), accents and punctuation.
 */

/** Facilitator / platform prefixes: the real merchant follows the separator. */
const FACILITATOR_PREFIX =
  /^(?:SQ|SQU|SQSP|TST|TOAST|PAYPAL|PP|SUMUP|SUM ?UP|ZETTLE|IZ|IZETTLE|IZ ?SUMUP|CLV|CLOVER|SP|SPO|STRIPE|STR|PY|LS|BT|DNH|GOOGLE|GGL|WPY|WL|MOLLIE|ADYEN|PAYPLUG|LYDIA|CKO|CHECKOUT COM|EB|ECWID|SHOPIFY|SHP|SNAP|DD|DOORDASH|GRUBHUB|GH|POS)\s*[*_#]+\s*/;

/** Platforms whose descriptor names the platform itself (the suffix is a product or an order reference). */
const PLATFORMS: readonly (readonly [RegExp, string])[] = [
  [/^(?:AMZN|AMAZON)\s*(?:MKTP|MKTPL|MARKETPLACE|DIGITAL|PRIME|RETAIL|COM|EU|UK|FR|DE|US)?\b.*$/, 'AMAZON'],
  [/^AMAZON\b.*$/, 'AMAZON'],
  [/^UBER\s*\*?\s*(?:EATS|EAT)\b.*$/, 'UBER EATS'],
  [/^UBER\b.*$/, 'UBER'],
  [/^LYFT\b.*$/, 'LYFT'],
  [/^BOLT\s*(?:EU|\*|\.EU)?.*$/, 'BOLT'],
  [/^APPLE\s*(?:COM)?\s*(?:BILL)?\b.*$/, 'APPLE'],
  [/^GOOGLE\s*\*?\s*(?:CLOUD|WORKSPACE|GSUITE|ADS)\b.*$/, 'GOOGLE'],
  [/^(?:SNCF|OUI ?SNCF|SNCF CONNECT)\b.*$/, 'SNCF'],
  [/^(?:AIR ?BNB|AIRBNB)\b.*$/, 'AIRBNB'],
  [/^(?:BOOKING COM|BKG)\b.*$/, 'BOOKING'],
  [/^(?:MSFT|MICROSOFT)\b.*$/, 'MICROSOFT'],
];

/** Legal forms and filler words that carry no identity. */
const STOP_TOKENS = new Set([
  'SAS',
  'SASU',
  'SARL',
  'EURL',
  'SA',
  'SNC',
  'SCI',
  'SELARL',
  'LTD',
  'LIMITED',
  'INC',
  'INCORPORATED',
  'LLC',
  'LLP',
  'PLC',
  'CORP',
  'CORPORATION',
  'CO',
  'COMPANY',
  'GMBH',
  'AG',
  'KG',
  'BV',
  'NV',
  'SRL',
  'SPA',
  'SL',
  'AB',
  'AS',
  'OY',
  'PTY',
  'SDN',
  'BHD',
  'THE',
  'LE',
  'LA',
  'LES',
  'DE',
  'DU',
  'DES',
  'ET',
  'AND',
  'OF',
  'STORE',
  'MAGASIN',
  'NO',
  'NR',
  'WWW',
  'COM',
  'FR',
  'NET',
  'ORG',
]);

/** Trailing location words commonly appended to descriptors (country and US/CA state codes, big cities). */
const LOCATION_TOKENS = new Set([
  'FR',
  'FRA',
  'FRANCE',
  'US',
  'USA',
  'GB',
  'GBR',
  'UK',
  'DE',
  'DEU',
  'ES',
  'IT',
  'NL',
  'BE',
  'CH',
  'IE',
  'PT',
  'LU',
  'AT',
  'SE',
  'DK',
  'NO',
  'PL',
  'MY',
  'SG',
  'JP',
  'CA',
  'NY',
  'NJ',
  'TX',
  'FL',
  'WA',
  'MA',
  'IL',
  'GA',
  'PARIS',
  'LYON',
  'MARSEILLE',
  'TOULOUSE',
  'BORDEAUX',
  'LILLE',
  'NANTES',
  'NICE',
  'LONDON',
  'BERLIN',
  'MUNICH',
  'MADRID',
  'BARCELONA',
  'ROME',
  'MILAN',
  'AMSTERDAM',
  'BRUSSELS',
  'BRUXELLES',
  'GENEVA',
  'GENEVE',
  'ZURICH',
  'DUBLIN',
  'LISBON',
  'LISBOA',
  'NEW',
  'YORK',
  'NYC',
  'SAN',
  'FRANCISCO',
  'LOS',
  'ANGELES',
  'SEATTLE',
  'BOSTON',
  'CHICAGO',
  'TOKYO',
  'SINGAPORE',
  'KUALA',
  'LUMPUR',
]);

export interface NormalizedMerchant {
  /** Identity tokens, upper-case ASCII, in order. */
  readonly tokens: readonly string[];
  /** Tokens joined without spaces (handles "BLUEBOTTLE" vs "BLUE BOTTLE"). */
  readonly compact: string;
  /** A canonical platform name when the descriptor is a known platform (AMAZON, UBER…), else null. */
  readonly platform: string | null;
  /**
   * Tokens mixing letters and digits that do not look like store numbers ("4FC0B7", "MK2"; not "F1234", "T2",
   * "17E"), OCR-confusable characters folded (O→0, I/L→1, S→5, B→8, Z→2). Not part of `tokens`: they only
   * tell apart two names that both carry them (see merchantSimilarity).
   */
  readonly codes?: readonly string[];
}

/** Letters and digits mixed, but not a store number with a one-letter prefix or suffix (F1234, T2, 17E, G7). */
const isNameCode = (t: string): boolean => /\d/.test(t) && /[A-Z]/.test(t) && !/^[A-Z]?\d+[A-Z]?$/.test(t);
const foldCode = (t: string): string =>
  t.replace(/O/g, '0').replace(/[IL]/g, '1').replace(/S/g, '5').replace(/B/g, '8').replace(/Z/g, '2');
/** Similarity when both names carry codes and none is shared: same words, different establishment. */
const DIFFERENT_CODES_SIM = 0.6;

const stripAccents = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');

/** Normalizes a vendor name or a card descriptor to identity tokens. Pure and deterministic. */
export const normalizeMerchant = (raw: string): NormalizedMerchant => {
  let s = stripAccents(raw).toUpperCase();
  s = s.replace(/['’`]/g, '').replace(/&/g, ' AND ');
  s = s.replace(/\.(?=COM\b|FR\b|NET\b|CO\b)/g, ' ');
  // Facilitator prefixes, possibly stacked ("PAYPAL *SQ *FOO" is rare but cheap to handle).
  for (let i = 0; i < 2; i++) {
    const next = s.replace(FACILITATOR_PREFIX, '');
    if (next === s) break;
    s = next;
  }
  s = s.replace(/[^A-Z0-9]+/g, ' ').trim();
  for (const [re, name] of PLATFORMS) {
    if (re.test(s)) return { tokens: name.split(' '), compact: name.replace(/ /g, ''), platform: name };
  }
  const raw_tokens = s.split(' ').filter((t) => t.length > 0);
  const codes = [...new Set(raw_tokens.filter(isNameCode).map(foldCode))];
  // Store numbers, order references, phone numbers: anything containing a digit.
  let tokens = raw_tokens.filter((t) => !/\d/.test(t));
  // Trailing location words (the descriptor's city / country), but never empty the name.
  while (tokens.length > 1 && LOCATION_TOKENS.has(tokens[tokens.length - 1] as string)) tokens = tokens.slice(0, -1);
  const identity = tokens.filter((t) => !STOP_TOKENS.has(t) && t.length > 1);
  const final = identity.length > 0 ? identity : tokens.length > 0 ? tokens : raw_tokens;
  return { tokens: final, compact: final.join(''), platform: null, ...(codes.length > 0 ? { codes } : {}) };
};

/** Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters). */
export const jaroWinkler = (a: string, b: string): number => {
  if (a === b) return a.length === 0 ? 1 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const aMatch = new Uint8Array(la);
  const bMatch = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (bMatch[j] === 0 && a.charCodeAt(i) === b.charCodeAt(j)) {
        aMatch[i] = 1;
        bMatch[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (aMatch[i] === 0) continue;
    while (bMatch[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
};

/** Similarity of two tokens: exact 1; a truncated prefix (≥ 3 chars) 0.9; else Jaro-Winkler if ≥ 0.88, else 0. */
const tokenSimilarity = (a: string, b: string): number => {
  if (a === b) return 1;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= 3 && long.startsWith(short)) return 0.9;
  if (short.length < 4) return 0;
  const jw = jaroWinkler(a, b);
  return jw >= 0.88 ? jw * 0.95 : 0;
};

/** Average best-match of `from` tokens into `to` tokens. */
const coverage = (from: readonly string[], to: readonly string[]): number => {
  if (from.length === 0) return 0;
  let sum = 0;
  for (const f of from) {
    let best = 0;
    for (const t of to) {
      const s = tokenSimilarity(f, t);
      if (s > best) best = s;
      if (best === 1) break;
    }
    sum += best;
  }
  return sum / from.length;
};

/**
 * Similarity of two normalized merchants in [0, 1]: the best of a token measure (coverage of the shorter name by
 * the longer, weighted 0.75, plus coverage of the longer, 0.25; truncated prefixes count) and Jaro-Winkler on the
 * compact forms (catches "BLUEBOTTLE", typos and the 22-character cut).
 */
export const merchantSimilarity = (a: NormalizedMerchant, b: NormalizedMerchant): number => {
  const sim = nameSimilarity(a, b);
  // Digits count only when both names carry a code and they share none ('CHEZ 4FC0B7 BISTROT' vs 'CHEZ D80CD0
  // BISTROT'); one code on one side only (an order reference, a store id the receipt does not print) changes nothing.
  const ca = a.codes;
  const cb = b.codes;
  if (!ca || !cb || sim <= DIFFERENT_CODES_SIM || (a.platform !== null && a.platform === b.platform)) return sim;
  return ca.some((c) => cb.includes(c)) ? sim : DIFFERENT_CODES_SIM;
};

const nameSimilarity = (a: NormalizedMerchant, b: NormalizedMerchant): number => {
  if (a.compact.length === 0 || b.compact.length === 0) return 0;
  if (a.platform !== null && a.platform === b.platform) return 1;
  if (a.compact === b.compact) return 1;
  const [short, long] = a.tokens.length <= b.tokens.length ? [a.tokens, b.tokens] : [b.tokens, a.tokens];
  const token = 0.75 * coverage(short, long) + 0.25 * coverage(long, short);
  // A compact form that is a prefix of the other (the 22-char cut, or "BLUEBOTTLE" vs "BLUEBOTTLECOFFEE").
  const [cs, cl] = a.compact.length <= b.compact.length ? [a.compact, b.compact] : [b.compact, a.compact];
  const prefix = cs.length >= 5 && cl.startsWith(cs) ? 0.8 + 0.2 * (cs.length / cl.length) : 0;
  const jw = jaroWinkler(a.compact, b.compact);
  // Jaro-Winkler is generous with unrelated strings (~0.5–0.6): only high values count.
  const jwScore = jw >= 0.85 ? jw : 0;
  return Math.min(1, Math.max(token, prefix, jwScore));
};
