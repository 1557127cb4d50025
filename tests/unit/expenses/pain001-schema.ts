/**
 * A structural validator for pain.001.001.03, written from the official XSD (ISO 20022 message definition
 * pain.001.001.03) for the complex and simple types our files use. It runs in-process with precise reasons, beside
 * the check against the official XSD by the JDK (pain001-official-xsd.test.ts): it checks element order
 * (xs:sequence, with every optional element of the XSD sequence listed so misplacement is caught), minOccurs/maxOccurs, xs:choice, required attributes and the simple
 * types' facets (lengths, patterns, enumerations, totalDigits/fractionDigits, minInclusive). Elements of the XSD we
 * never emit are typed `unsupported`: finding one is an error, which keeps the validator honest.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const NS = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03';

type SimpleCheck = (v: string) => string | null;

const text =
  (min: number, max: number): SimpleCheck =>
  (v) =>
    [...v].length < min || [...v].length > max ? `length ${[...v].length} not in ${min}..${max}` : null;
const pattern =
  (re: RegExp): SimpleCheck =>
  (v) =>
    re.test(v) ? null : `does not match ${re.source}`;
const oneOf =
  (...values: string[]): SimpleCheck =>
  (v) =>
    values.includes(v) ? null : `not one of ${values.join(' ')}`;
const decimal =
  (totalDigits: number, fractionDigits: number, minInclusive?: number): SimpleCheck =>
  (v) => {
    const m = /^[+-]?(\d*)(?:\.(\d*))?$/.exec(v);
    if (!m || v === '' || v === '.' || (m[1] === '' && !m[2])) return 'not an xs:decimal';
    const int = (m[1] ?? '').replace(/^0+/, '');
    const frac = (m[2] ?? '').replace(/0+$/, '');
    if (int.length + frac.length > totalDigits) return `more than ${totalDigits} digits`;
    if (frac.length > fractionDigits) return `more than ${fractionDigits} fraction digits`;
    if (minInclusive !== undefined && Number(v) < minInclusive) return `below ${minInclusive}`;
    return null;
  };

const SIMPLE: Record<string, SimpleCheck> = {
  Max35Text: text(1, 35),
  Max140Text: text(1, 140),
  Max4Text: text(1, 4),
  Max15NumericText: pattern(/^[0-9]{1,15}$/),
  DecimalNumber: decimal(18, 17),
  ActiveOrHistoricCurrencyAndAmount: decimal(18, 5, 0),
  ISODateTime: pattern(
    /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/,
  ),
  ISODate: pattern(/^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d{2}:\d{2})?$/),
  PaymentMethod3Code: oneOf('CHK', 'TRF', 'TRA'),
  BatchBookingIndicator: oneOf('true', 'false', '1', '0'),
  ChargeBearerType1Code: oneOf('DEBT', 'CRED', 'SHAR', 'SLEV'),
  IBAN2007Identifier: pattern(/^[A-Z]{2,2}[0-9]{2,2}[a-zA-Z0-9]{1,30}$/),
  BICIdentifier: pattern(/^[A-Z]{6,6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3,3}){0,1}$/),
  ActiveOrHistoricCurrencyCode: pattern(/^[A-Z]{3,3}$/),
};

/** [element, type, minOccurs, maxOccurs] in XSD order. */
type Particle = [string, string, number, number];
interface Complex {
  seq: Particle[];
  /** xs:choice: exactly one particle present. */
  choice?: boolean;
  /** Simple content (e.g. an amount) with attributes. */
  simpleContent?: string;
  attrs?: { name: string; type: string; required: boolean }[];
}

const U = Number.POSITIVE_INFINITY;
const COMPLEX: Record<string, Complex> = {
  Document: { seq: [['CstmrCdtTrfInitn', 'CustomerCreditTransferInitiationV03', 1, 1]] },
  CustomerCreditTransferInitiationV03: {
    seq: [
      ['GrpHdr', 'GroupHeader32', 1, 1],
      ['PmtInf', 'PaymentInstructionInformation3', 1, U],
    ],
  },
  GroupHeader32: {
    seq: [
      ['MsgId', 'Max35Text', 1, 1],
      ['CreDtTm', 'ISODateTime', 1, 1],
      ['Authstn', 'unsupported', 0, 2],
      ['NbOfTxs', 'Max15NumericText', 1, 1],
      ['CtrlSum', 'DecimalNumber', 0, 1],
      ['InitgPty', 'PartyIdentification32', 1, 1],
      ['FwdgAgt', 'unsupported', 0, 1],
    ],
  },
  PartyIdentification32: {
    seq: [
      ['Nm', 'Max140Text', 0, 1],
      ['PstlAdr', 'unsupported', 0, 1],
      ['Id', 'unsupported', 0, 1],
      ['CtryOfRes', 'unsupported', 0, 1],
      ['CtctDtls', 'unsupported', 0, 1],
    ],
  },
  PaymentInstructionInformation3: {
    seq: [
      ['PmtInfId', 'Max35Text', 1, 1],
      ['PmtMtd', 'PaymentMethod3Code', 1, 1],
      ['BtchBookg', 'BatchBookingIndicator', 0, 1],
      ['NbOfTxs', 'Max15NumericText', 0, 1],
      ['CtrlSum', 'DecimalNumber', 0, 1],
      ['PmtTpInf', 'PaymentTypeInformation19', 0, 1],
      ['ReqdExctnDt', 'ISODate', 1, 1],
      ['PoolgAdjstmntDt', 'unsupported', 0, 1],
      ['Dbtr', 'PartyIdentification32', 1, 1],
      ['DbtrAcct', 'CashAccount16', 1, 1],
      ['DbtrAgt', 'BranchAndFinancialInstitutionIdentification4', 1, 1],
      ['DbtrAgtAcct', 'unsupported', 0, 1],
      ['UltmtDbtr', 'unsupported', 0, 1],
      ['ChrgBr', 'ChargeBearerType1Code', 0, 1],
      ['ChrgsAcct', 'unsupported', 0, 1],
      ['ChrgsAcctAgt', 'unsupported', 0, 1],
      ['CdtTrfTxInf', 'CreditTransferTransactionInformation10', 1, U],
    ],
  },
  PaymentTypeInformation19: {
    seq: [
      ['InstrPrty', 'unsupported', 0, 1],
      ['SvcLvl', 'ServiceLevel8Choice', 0, 1],
      ['LclInstrm', 'unsupported', 0, 1],
      ['CtgyPurp', 'unsupported', 0, 1],
    ],
  },
  ServiceLevel8Choice: {
    choice: true,
    seq: [
      ['Cd', 'Max4Text', 1, 1],
      ['Prtry', 'Max35Text', 1, 1],
    ],
  },
  CashAccount16: {
    seq: [
      ['Id', 'AccountIdentification4Choice', 1, 1],
      ['Tp', 'unsupported', 0, 1],
      ['Ccy', 'ActiveOrHistoricCurrencyCode', 0, 1],
      ['Nm', 'Max70Text', 0, 1],
    ],
  },
  AccountIdentification4Choice: {
    choice: true,
    seq: [
      ['IBAN', 'IBAN2007Identifier', 1, 1],
      ['Othr', 'unsupported', 1, 1],
    ],
  },
  BranchAndFinancialInstitutionIdentification4: {
    seq: [
      ['FinInstnId', 'FinancialInstitutionIdentification7', 1, 1],
      ['BrnchId', 'unsupported', 0, 1],
    ],
  },
  FinancialInstitutionIdentification7: {
    seq: [
      ['BIC', 'BICIdentifier', 0, 1],
      ['ClrSysMmbId', 'unsupported', 0, 1],
      ['Nm', 'Max140Text', 0, 1],
      ['PstlAdr', 'unsupported', 0, 1],
      ['Othr', 'unsupported', 0, 1],
    ],
  },
  CreditTransferTransactionInformation10: {
    seq: [
      ['PmtId', 'PaymentIdentification1', 1, 1],
      ['PmtTpInf', 'PaymentTypeInformation19', 0, 1],
      ['Amt', 'AmountType3Choice', 1, 1],
      ['XchgRateInf', 'unsupported', 0, 1],
      ['ChrgBr', 'ChargeBearerType1Code', 0, 1],
      ['ChqInstr', 'unsupported', 0, 1],
      ['UltmtDbtr', 'unsupported', 0, 1],
      ['IntrmyAgt1', 'unsupported', 0, 1],
      ['IntrmyAgt1Acct', 'unsupported', 0, 1],
      ['IntrmyAgt2', 'unsupported', 0, 1],
      ['IntrmyAgt2Acct', 'unsupported', 0, 1],
      ['IntrmyAgt3', 'unsupported', 0, 1],
      ['IntrmyAgt3Acct', 'unsupported', 0, 1],
      ['CdtrAgt', 'BranchAndFinancialInstitutionIdentification4', 0, 1],
      ['CdtrAgtAcct', 'unsupported', 0, 1],
      ['Cdtr', 'PartyIdentification32', 0, 1],
      ['CdtrAcct', 'CashAccount16', 0, 1],
      ['UltmtCdtr', 'unsupported', 0, 1],
      ['InstrForCdtrAgt', 'unsupported', 0, U],
      ['InstrForDbtrAgt', 'unsupported', 0, 1],
      ['Purp', 'unsupported', 0, 1],
      ['RgltryRptg', 'unsupported', 0, 10],
      ['Tax', 'unsupported', 0, 1],
      ['RltdRmtInf', 'unsupported', 0, 10],
      ['RmtInf', 'RemittanceInformation5', 0, 1],
    ],
  },
  PaymentIdentification1: {
    seq: [
      ['InstrId', 'Max35Text', 0, 1],
      ['EndToEndId', 'Max35Text', 1, 1],
    ],
  },
  AmountType3Choice: {
    choice: true,
    seq: [
      ['InstdAmt', 'ActiveOrHistoricCurrencyAndAmountElement', 1, 1],
      ['EqvtAmt', 'unsupported', 1, 1],
    ],
  },
  ActiveOrHistoricCurrencyAndAmountElement: {
    seq: [],
    simpleContent: 'ActiveOrHistoricCurrencyAndAmount',
    attrs: [{ name: 'Ccy', type: 'ActiveOrHistoricCurrencyCode', required: true }],
  },
  RemittanceInformation5: {
    seq: [
      ['Ustrd', 'Max140Text', 0, U],
      ['Strd', 'unsupported', 0, U],
    ],
  },
};
SIMPLE.Max70Text = text(1, 70);

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const nameOf = (n: Node) => Object.keys(n).find((k) => k !== ':@') ?? '';

const textOf = (children: Node[]): string =>
  children
    .map((c) => (typeof c['#text'] === 'string' || typeof c['#text'] === 'number' ? String(c['#text']) : ''))
    .join('');

const validateNode = (node: Node, type: string, path: string, errors: string[]) => {
  const children = ((node[nameOf(node)] as Node[]) ?? []) as Node[];
  const simple = SIMPLE[type];
  if (type === 'unsupported') {
    errors.push(`${path}: element not covered by this validator`);
    return;
  }
  if (simple) {
    if (children.some((c) => nameOf(c) !== '#text')) errors.push(`${path}: ${type} has no child elements`);
    const err = simple(textOf(children));
    if (err) errors.push(`${path}: ${type} ${err}`);
    return;
  }
  const complex = COMPLEX[type];
  if (!complex) throw new Error(`unknown type ${type}`);
  const attrs = node[':@'] ?? {};
  for (const a of complex.attrs ?? []) {
    const v = attrs[`@_${a.name}`];
    if (v === undefined) {
      if (a.required) errors.push(`${path}/@${a.name}: required`);
    } else {
      const err = SIMPLE[a.type]?.(v);
      if (err) errors.push(`${path}/@${a.name}: ${err}`);
    }
  }
  if (complex.simpleContent) {
    const err = SIMPLE[complex.simpleContent]?.(textOf(children));
    if (err) errors.push(`${path}: ${complex.simpleContent} ${err}`);
    return;
  }
  const elements = children.filter((c) => nameOf(c) !== '#text');
  if (textOf(children).trim() !== '') errors.push(`${path}: unexpected text`);
  if (complex.choice) {
    const particle = complex.seq.find(([n]) => n === nameOf(elements[0] ?? {}));
    if (elements.length !== 1 || !particle) {
      errors.push(`${path}: choice needs exactly one of ${complex.seq.map(([n]) => n).join(', ')}`);
      return;
    }
    validateNode(elements[0] as Node, particle[1], `${path}/${particle[0]}`, errors);
    return;
  }
  let i = 0;
  for (const [name, childType, min, max] of complex.seq) {
    let count = 0;
    while (i < elements.length && nameOf(elements[i] as Node) === name) {
      count++;
      validateNode(elements[i] as Node, childType, `${path}/${name}[${count}]`, errors);
      i++;
    }
    if (count < min) errors.push(`${path}: missing ${name} (minOccurs ${min})`);
    if (count > max) errors.push(`${path}: too many ${name} (maxOccurs ${max})`);
  }
  if (i < elements.length)
    errors.push(`${path}: unexpected ${nameOf(elements[i] as Node)} (not allowed here by the sequence)`);
};

/** Errors against pain.001.001.03 (empty when valid). */
export const validatePain001 = (xml: string): string[] => {
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) return [`not well-formed: ${wellFormed.err.msg} (line ${wellFormed.err.line})`];
  const parsed = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
  }).parse(xml) as Node[];
  const roots = parsed.filter((n) => !['?xml', '#text'].includes(nameOf(n)));
  const root = roots[0];
  if (roots.length !== 1 || !root || nameOf(root) !== 'Document') return ['the root element must be Document'];
  if (root[':@']?.['@_xmlns'] !== NS) return [`Document must be in the namespace ${NS}`];
  const errors: string[] = [];
  validateNode(root, 'Document', '/Document', errors);
  return errors;
};
