import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReceiptRows, repairLegalForm, repairNameGlyphs } from '../../../shared/domain/extraction/field-parser.ts';
import { buildRows, fragmentsFromBoxCsv, rowsFromText } from '../../../shared/domain/extraction/layout.ts';
import { receiptJsonSchema, receiptToJson } from '../../../shared/domain/extraction/model.ts';
import { formatLocaleAmount } from '../../../shared/domain/extraction/numbers.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const parse = (text: string, hints: { country?: string; currency?: string } = {}) =>
  receiptToJson(parseReceiptRows(rowsFromText(text), 'ocr-lines', { ...hints, now: NOW }));

const FRENCH = `
CARREFOUR CITY
12 RUE DE LA PAIX
75002 PARIS
SIRET 732 829 320 00074
TVA FR44732829320
Le 14/03/2024 à 12:31     Caisse 3
2 x Croissant               2,40
Baguette tradition          1,30
Formule déjeuner           11,90
Pourboire                   1,00
TOTAL TTC                  16,60 €
Taux       HT       TVA      TTC
5,50%     5,02      0,28     5,30
10,00%   10,28      1,02    11,30
CB SANS CONTACT            16,60
Carte ************4821
MERCI DE VOTRE VISITE`;

const ENGLISH = `
Joe's Diner
123 Main Street
Springfield, IL 62701
03/04/2024 7:42 PM
Burger                     12.50
Fries                       4.00
Subtotal                   16.50
Tax 8.25%                   1.36
Tip                         3.00
Total                      20.86
VISA XXXX XXXX XXXX 1234   20.86
Change                      0.00`;

describe('field parser', () => {
  it('reads a French receipt: TOTAL TTC, VAT table, tip, card, SIRET', () => {
    const r = parse(FRENCH);
    expect(r).toMatchObject({
      vendor: 'CARREFOUR CITY',
      vendorSiret: '73282932000074',
      vendorSiren: '732829320',
      vendorVatNumber: 'FR44732829320',
      date: '2024-03-14',
      currency: 'EUR',
      total: '16.60',
      tip: '1.00',
      cardLast4: '4821',
      taxes: [
        { rate: '5.50', base: '5.02', amount: '0.28' },
        { rate: '10.00', base: '10.28', amount: '1.02' },
      ],
    });
    expect(r.confidence.total).toBeGreaterThan(0.8);
    expect(r.confidence.taxes).toBeGreaterThan(0.8);
    expect(receiptJsonSchema.safeParse(r).success).toBe(true);
  });

  it('reads "NET A PAYER" and "TOTAL HT" with French number grouping', () => {
    const r = parse(
      'HOTEL DU LAC SARL\nFacture du 02/01/2025\nTOTAL HT 1 041,67\nTVA 20 % 208,33\nNET A PAYER 1 250,00 EUR',
    );
    expect(r).toMatchObject({ total: '1250.00', subtotal: '1041.67', currency: 'EUR', date: '2025-01-02' });
    expect(r.taxes).toEqual([{ rate: '20.00', base: '1041.67', amount: '208.33' }]);
  });

  it('keeps the VAT line whose base checks out when the same rate is also printed beside the gross', () => {
    const r = parse(
      'KEDAI BUKU MAJU SDN BHD\n25/04/2018\nPensel 2B                 12.00\nKertas A4                 10.00\nTOTAL INCLUDING GST 6%    22.00\nGST 6%                    22.00\nGST Summary   Amount   Tax\nSR 6%         20.75    1.25',
      { currency: 'MYR' },
    );
    expect(r.total).toBe('22.00');
    expect(r.taxes).toEqual([{ rate: '6.00', base: '20.75', amount: '1.25' }]);
  });

  it('reads an English receipt with subtotal, tax, tip and month-first date from the country', () => {
    const r = parse(ENGLISH, { country: 'US' });
    expect(r).toMatchObject({
      vendor: "Joe's Diner",
      date: '2024-03-04',
      currency: 'USD',
      total: '20.86',
      subtotal: '16.50',
      tip: '3.00',
      cardLast4: '1234',
    });
    expect(r.taxes[0]).toMatchObject({ rate: '8.25', amount: '1.36' });
    expect(r.lineItems.map((l) => l.description)).toEqual(['Burger', 'Fries']);
  });

  it('prefers the rounded total after a cash-rounding adjustment, and the amount due over the cash tendered', () => {
    const r = parse(
      'SHOP SDN BHD\n12/03/2018\nTOTAL SALES INCL GST 42.48\nROUNDING ADJ 0.02\nTOTAL AFTER ADJ 42.50\nCASH 50.00\nCHANGE 7.50',
    );
    expect(r.total).toBe('42.50');
    const s = parse('CAFE\n12/03/2018\nAMOUNT DUE 7.50\nCASH 20.00\nCHANGE 12.50');
    expect(s.total).toBe('7.50');
  });

  it('does not take the TOTAL row of a VAT summary table', () => {
    const r = parse(
      'SHOP\n03/04/2018\nTOTAL 11.60\nGST SUMMARY\nTAX CODE % AMOUNT GST\nSR 6 10.94 0.66\nTOTAL : 10.94 0.66',
    );
    expect(r.total).toBe('11.60');
  });

  it('lowers confidence when subtotal + taxes disagree with the total', () => {
    const ok = parse('A\n01/02/2024\nSubtotal 10.00\nTax 1.00\nTotal 11.00');
    const bad = parse('A\n01/02/2024\nSubtotal 10.00\nTax 1.00\nTotal 15.00');
    expect(bad.confidence.total ?? 1).toBeLessThan(ok.confidence.total ?? 0);
    expect(bad.warnings.join()).toMatch(/does not match/);
  });

  it('uses positions: label and amount in separate boxes on the same row', () => {
    const csv = [
      '10,10,300,10,300,40,10,40,MY SHOP SDN BHD',
      '10,60,200,60,200,90,10,90,01/05/2019',
      '10,100,200,100,200,130,10,130,TOTAL',
      '400,102,480,102,480,128,400,128,12.30',
      '10,140,200,140,200,170,10,170,CASH',
      '400,142,480,142,480,168,400,168,20.00',
    ].join('\n');
    const r = receiptToJson(parseReceiptRows(buildRows(fragmentsFromBoxCsv(csv)), 'ocr-lines', { now: NOW }));
    expect(r).toMatchObject({ vendor: 'MY SHOP SDN BHD', date: '2019-05-01', total: '12.30' });
  });

  it.each([
    ['NORTHWIND TRADERS SON BHD', 'NORTHWIND TRADERS SDN BHD'],
    ['Kedai Contoh Sdn End', 'Kedai Contoh Sdn Bhd'],
    ['CONTOH MAKMUR SDN 3HD (1234-X)', 'CONTOH MAKMUR SDN BHD (1234-X)'],
    ['KEDAI RUNCIT SL: BHD', 'KEDAI RUNCIT SDN BHD'],
    ['KEDAI RUNCIT 5/8', 'KEDAI RUNCIT S/B'],
  ])('repairs an OCR-misread legal form: %s', (text, fixed) => {
    expect(repairLegalForm(text)).toBe(fixed);
  });

  it.each(['LE PETIT BAR', 'CHEZ ANA BAR', 'SUN BAR', 'CAFE DE LA GARE', 'NORTHWIND SDN BHD', 'THE ROTI MAN'])(
    'leaves a name without a misread legal form alone: %s',
    (text) => {
      expect(repairLegalForm(text)).toBe(text);
    },
  );

  it('drops OCR specks and cut registration numbers after the legal form, keeps names and branches', () => {
    const vendor = (first: string) => parse(`${first}\nJALAN CONTOH 12\n01/02/2024\nTOTAL 12.50`).vendor;
    expect(vendor('NORTHWIND TRADING SDN BHD I . 7')).toBe('NORTHWIND TRADING SDN BHD');
    expect(vendor('NORTHWIND (M) SDN BHD ED118-A)')).toBe('NORTHWIND (M) SDN BHD');
    expect(vendor('KEDAI CONTOH TRADING 2')).toBe('KEDAI CONTOH TRADING');
    expect(vendor('TRIPLE SEVEN ENTERPRISE 777')).toBe('TRIPLE SEVEN ENTERPRISE 777');
    expect(vendor('NORTHWIND SDN BHD (JALAN AMPANG)')).toBe('NORTHWIND SDN BHD (JALAN AMPANG)');
  });

  it('keeps a vendor whose name contains HTTP or WWW inside a word', () => {
    const vendor = (first: string) => parse(`${first}\nJALAN CONTOH 12\n01/02/2024\nTOTAL 12.50`).vendor;
    expect(vendor('HTTPVIG HTAMVG')).toBe('HTTPVIG HTAMVG');
    expect(vendor('NEWWWAVE CAFE')).toBe('NEWWWAVE CAFE');
    expect(vendor('WWWOK NOODLE HOUSE')).toBe('WWWOK NOODLE HOUSE');
  });

  it.each([
    'WWW.NORTHWIND.MY',
    'www.northwind.fr',
    'WWW. NORTHWIND. MY',
    'WWW NORTHWIND MY',
    '(WWW. NORTHWIND-FNB . MY)',
    'HTTP://NORTHWIND.MY',
    'https://m.facebook.net/northwind',
    'HTTPS: NORTHWIND.MY',
  ])('still rejects a web address as the vendor line: %s', (url) => {
    expect(parse(`${url}\nNORTHWIND CAFE\nJALAN CONTOH 12\n01/02/2024\nTOTAL 12.50`).vendor).toBe('NORTHWIND CAFE');
  });

  it.each([
    'GREEN VEGETABLE STALL',
    'NOTABLE NOODLES',
    'TABLETOP GAMES CAFE',
    'BORDER GRILL',
    'RECORDER MUSIC HOUSE',
    'CHEZ MERCIER',
    'COMMERCIAL BAKERY',
    'SAXOPHONE BAR',
    'IPHONE FIX CENTRE',
    'UNWELCOME GUEST PUB',
    'THANKAM JEWELLERS',
    'PLEASEANT GARDEN',
    'SMARTCASHIER SYSTEMS',
    'UNOFFICIAL BAR',
    'Chez Mercier',
  ])('keeps a vendor whose name contains a header word inside a word: %s', (name) => {
    expect(parse(`${name}\nJALAN CONTOH 12\n01/02/2024\nTOTAL 12.50`).vendor).toBe(name);
  });

  it.each([
    'TABLE 12',
    'TABLE:12',
    'TABLE12',
    'TABLE: T10',
    'TABLE NO 4',
    'ORDER #123',
    'ORDER#: 1106',
    'ORDERNO#1106368',
    'ORDER.',
    'MERCI DE VOTRE VISITE',
    '****MERCI DE VOTRE VISITE****',
    'Merci de votre visite !',
    'MERCIDEVOTREVISITE',
    'MERCI !',
    'THANK YOU',
    'THANKYOU',
    'THANKYOUPLEASECOMEAGAIN',
    'THANKS!',
    '*THANK YOU, PLEASE COME AGAIN*',
    'RETURNABLE.THANK YOU',
    'PLEASE COME AGAIN',
    'YOU...PLEASE COME AGAIN',
    'TEL/PHONE:',
    'PHONE:',
    'TELEPHONE',
    'HANDPHONE',
    'WELCOME',
    'WELCOME TO THE FAMILY',
    'WELCOME20',
    '**** OFFICIAL ****',
    'OFFICIALRECEIPT',
    'CASHIER: ADMIN',
    'CASHIER3',
    'CASHIERNAME ALI',
    'ZU-CASHIER]',
  ])('still rejects a header or courtesy line as the vendor line: %s', (line) => {
    expect(parse(`${line}\nNORTHWIND CAFE\nJALAN CONTOH 12\n01/02/2024\nTOTAL 12.50`).vendor).toBe('NORTHWIND CAFE');
  });

  it.each([
    'LA TABLE DE NICOLAS',
    "LA TABLE D'HOTES",
    "TABLE D'HOTE",
    'TABLE DU MARCHE',
    'LES TABLES DE LA FONTAINE',
    'LA GRANDE TABLE',
    'ART DE TABLE',
    'A TABLE',
    'LA TABLE 2',
    'La Table de Nicolas',
    "MAISON D'HOTES",
    'MERCI',
    'Merci',
    'MERCI PARIS',
    'SIRENA',
    'LA SIRENE',
  ])('keeps a French name with TABLE, MERCI, SIREN or HOTE as a word: %s', (name) => {
    expect(parse(`${name}\n12 RUE DE LA PAIX\n01/02/2024\nTOTAL 12,50`).vendor).toBe(name);
  });

  it('keeps "A TABLE !" as the name, without the exclamation mark', () => {
    expect(parse('A TABLE !\n12 RUE DE LA PAIX\n01/02/2024\nTOTAL 12,50').vendor).toBe('A TABLE');
  });

  it.each([
    'TABLE',
    'TABLE:',
    'TABLE -',
    'TABLE A',
    'TABLE D2',
    'TABLE T13',
    'TABLE:20 / 1',
    'TABLE NO: [HALL]-9',
    'TABLE NO : C38',
    'TABLE N° 5',
    'Table n° 5',
    'TABLE #3',
    'TABLE - 5',
    'TABLE/COUVERTS',
    'TABLE / COUVERTS : 2',
    'TABLE 12 COUVERTS 3',
    'DINE IN TABLE 5',
    'NB COUVERTS',
    'NB COUVERTS: 4',
    'COUVERTS: 2',
    'MERCI ET A BIENTOT',
    'Merci et à bientôt !',
    'MERCI POUR VOTRE VISITE',
    'MERCI BEAUCOUP',
    'Merci, bonne journée',
    "MERCI D'ETRE VENU",
    'GRAND MERCI',
    'MERCI!',
    'MERCI.',
    '*** MERCI ***',
    'SIRET 732 829 320 00074',
    'N° SIREN 732829320',
    'SIRET123',
    'CAISSE 3',
    'N°CAISSE: 02',
    'CAISSE3',
    'CAISSIER: MARIE',
    'HOTE: MARIE',
  ])('still rejects a table label, thanks or a till line as the vendor line: %s', (line) => {
    expect(parse(`${line}\nNORTHWIND CAFE\nJALAN CONTOH 12\n01/02/2024\nTOTAL 12.50`).vendor).toBe('NORTHWIND CAFE');
  });

  it('does not take a stray dollar sign in OCR noise for the currency (nor switch to month-first dates)', () => {
    const r = parse('KEDAI CONTOH\n06/03/2024 20:01\nAR $ 5   70,75\nTOTAL RM 75.00');
    expect(r.currency).toBe('MYR');
    expect(r.date).toBe('2024-03-06');
    expect(parse('DINER\n03/06/2024\nTOTAL $12.50').date).toBe('2024-03-06');
  });

  it('does not take the items table header ("Price  Tax  Tax Code") for a VAT summary', () => {
    const items = ['BISCUIT', 'ROTI', 'SUSU', 'GULA'].flatMap((name, i) => [
      name,
      `1 PKT   ${i + 1}.00   ${i + 1}.00  ZRL`,
    ]);
    const r = parse(
      [
        'KEDAI CONTOH SDN BHD',
        '01/02/2024',
        'QTY UOM  UNIT AMT  AMT INC. GST',
        'Price   Tax   Tax Code',
        ...items,
        'Total Qty: 4.00',
        'Total Includes GST 0%      10.00',
        'Customer Payment',
        'Cash                      20.00',
        'Change                    10.00',
        'GST Summary  Amount (RM) Tax (RM)',
        'ZRL=0%  10.00  0.00',
      ].join('\n'),
    );
    expect(r.total).toBe('10.00');
  });

  it('reads "Incl. GST" as OCR misreads it, and a pound sign only next to a number', () => {
    const r = parse('A£ON CONTOH SDN BHD\n12/03/2024\nSub-total 42.48\nTotal After Adj Inci GST  42.50\nCASH  50.00');
    expect(r.total).toBe('42.50');
    expect(r.currency).not.toBe('GBP');
  });

  it('skips header lines the OCR was unsure of (a logo read as letters) when choosing the vendor', () => {
    const line = (text: string, y: number, confidence: number) => ({
      text,
      box: { x0: 10, y0: y, x1: 300, y1: y + 20 },
      confidence,
    });
    const fragments = [
      line('Fotozy', 0, 0.02),
      line('KEDAI CONTOH MAKMUR', 30, 0.89),
      line('JALAN AMPANG 12', 60, 0.93),
      line('06/04/2024', 90, 0.9),
      line('TOTAL 50.00', 120, 0.92),
    ];
    const vendorOf = (fs: typeof fragments) =>
      receiptToJson(parseReceiptRows(buildRows(fs), 'ocr', { now: NOW })).vendor;
    expect(vendorOf(fragments)).toBe('KEDAI CONTOH MAKMUR');
    // The same line read with confidence is the name.
    expect(vendorOf(fragments.map((f, i) => (i === 0 ? { ...f, confidence: 0.9 } : f)))).toBe('Fotozy');
  });

  it('corrects a misread letter of the name from the same word printed elsewhere on the receipt (OCR only)', () => {
    const line = (text: string, y: number, confidence?: number) => ({
      text,
      box: { x0: 10, y0: y, x1: 300, y1: y + 20 },
      ...(confidence !== undefined ? { confidence } : {}),
    });
    const receipt = (header: number | undefined, footer: number | undefined, footerText = 'Follow us: Kedai.Merbok') =>
      receiptToJson(
        parseReceiptRows(
          buildRows([
            line('KEDAI MERBAK STATIONERY', 0, header),
            line('JALAN AMPANG 12', 30, header),
            line('14/12/2024', 60, header),
            line('TOTAL 36.00', 90, header),
            line(footerText, 120, footer),
          ]),
          'ocr',
          { now: NOW },
        ),
      ).vendor;
    expect(receipt(0.77, 0.92)).toBe('KEDAI MERBOK STATIONERY');
    // Read less confidently below, or no confidence at all (clean text): left as printed.
    expect(receipt(0.92, 0.77)).toBe('KEDAI MERBAK STATIONERY');
    expect(receipt(undefined, undefined)).toBe('KEDAI MERBAK STATIONERY');
    // Two candidate spellings: no choice.
    expect(receipt(0.77, 0.92, 'MERBOK MERBUK')).toBe('KEDAI MERBAK STATIONERY');
  });

  it('takes a name that ends with "&" together with the next line', () => {
    expect(parse('SRI MURNI TILES &\nSANITARY WARE\nNO. 8, JALAN KENARI 3\n02/05/2024\nTOTAL 88.00').vendor).toBe(
      'SRI MURNI TILES & SANITARY WARE',
    );
    expect(
      parse('LUMIERE DECOR &\nLIGHTING SDN BHD (884512-K)\nLOT 5, JALAN PJS 11\n02/05/2024\nTOTAL 88.00').vendor,
    ).toBe('LUMIERE DECOR & LIGHTING SDN BHD');
    // A name that does not end with a conjunction stays on its line.
    expect(parse('SRI MURNI TILES\nSANITARY WARE SPECIALIST\n02/05/2024\nTOTAL 88.00').vendor).toBe('SRI MURNI TILES');
  });

  it('repairs symbols and digits read in place of letters inside a name', () => {
    expect(repairNameGlyphs('A£ON BIG (M) SDN BHD')).toBe('AEON BIG (M) SDN BHD');
    expect(repairNameGlyphs('K0PITIAM S1NAR MAJU')).toBe('KOPITIAM SINAR MAJU');
    expect(repairNameGlyphs('Shell Petro] Station')).toBe('Shell Petrol Station');
    // Digits and brackets that belong to the name or its registration number are left alone.
    expect(repairNameGlyphs('7-ELEVEN [KL] 99 SPEED MART (519537-K)')).toBe('7-ELEVEN [KL] 99 SPEED MART (519537-K)');
    expect(repairNameGlyphs('£5 STORE')).toBe('£5 STORE');
  });

  it('corrects a short misread word of the name when its neighbour is printed next to it elsewhere (OCR only)', () => {
    const line = (text: string, y: number, confidence: number) => ({
      text,
      box: { x0: 10, y0: y, x1: 300, y1: y + 20 },
      confidence,
    });
    const vendorOf = (trade: string, legal: string, footer = 'THANK YOU') =>
      receiptToJson(
        parseReceiptRows(
          buildRows([
            line(trade, 0, 0.92),
            line(legal, 30, 0.71),
            line('No. 12, Jalan Bukit Bintang', 60, 0.85),
            line('03/06/2024 12:10', 90, 0.9),
            line('TOTAL 21.40', 120, 0.9),
            line(footer, 150, 0.9),
          ]),
          'ocr',
          { now: NOW },
        ),
      ).vendor;
    expect(vendorOf('RED HILL CAFE', 'Rcd Hill Trading Sdn Bhd')).toBe('Red Hill Trading Sdn Bhd');
    // No neighbour in common: a short word is left as read.
    expect(vendorOf('RED BRICK CAFE', 'Rcd Hill Trading Sdn Bhd')).toBe('Rcd Hill Trading Sdn Bhd');
    // The legal form is never rewritten from another line ("SON BHD" misread in a customer's name).
    expect(vendorOf('RED HILL CAFE', 'Red Hill Trading Sdn Bhd', 'Bill to: MAJU SON BHD')).toBe(
      'Red Hill Trading Sdn Bhd',
    );
  });

  it('believes a document number that starts with the date over a date line read less confidently (OCR only)', () => {
    const line = (text: string, y: number, confidence: number) => ({
      text,
      box: { x0: 10, y0: y, x1: 400, y1: y + 20 },
      confidence,
    });
    const dateOf = (dateLine: string, numberLine: string, dateConf = 0.7, numberConf = 0.85) =>
      receiptToJson(
        parseReceiptRows(
          buildRows([
            line('KEDAI RUNCIT MAJU', 0, 0.9),
            line('TOTAL 12.30', 30, 0.9),
            line(numberLine, 60, numberConf),
            line(dateLine, 90, dateConf),
          ]),
          'ocr',
          { now: NOW },
        ),
      ).date;
    // 16/04 read for 18/04: the invoice number 20240418… says 18.
    expect(dateOf('16/04/2024 20:27', 'Invoice No: 2024041810090010447')).toBe('2024-04-18');
    // The number read less confidently, more than one digit apart, or too short to be a document number: unchanged.
    expect(dateOf('16/04/2024 20:27', 'Invoice No: 2024041810090010447', 0.9, 0.8)).toBe('2024-04-16');
    expect(dateOf('16/04/2024 20:27', 'Invoice No: 2024052810090010447')).toBe('2024-04-16');
    expect(dateOf('16/04/2024 20:27', 'Ref 20240418')).toBe('2024-04-16');
  });

  it('drops lone bars and slashes from a vendor name', () => {
    expect(parse('NORTHWIND HARDWARE | / ENTERPRISE SDN BHD\n01/02/2024\nTOTAL 12.50').vendor).toBe(
      'NORTHWIND HARDWARE ENTERPRISE SDN BHD',
    );
  });

  it('does not take a column header ("ITEM  QTY  U/P  AMOUNT") for a total label', () => {
    const r = parse(
      // "QTY" misread as "aTY": the header is recognised by its other column words.
      'KEDAI CONTOH\n02/02/2024\nITEM   aTY   U/P   AMOUNT\n5194020100124  4  11.32  45.28\nSUB-TOTAL 45.28\nTOTAL 428.004\nCASH 48.00\nCHANGE 0.00',
    );
    expect(r.total).toBe('48.00');
  });

  it('computes the total from cash − change when the total label has no readable amount', () => {
    const r = parse(
      'KEDAI CONTOH\n22/02/2024\nOriginal Slice  2  RM26.00\nDouble Slice  1  RM13.00\nGrand Total rea 9 . 00\nCash  RM50.00\nChange  RM11.00',
    );
    expect(r.total).toBe('39.00');
  });

  it('computes subtotal + tax + rounding when the same digits are printed without their decimal point', () => {
    const r = parse(
      'KEDAI CONTOH SDN BHD\n27/09/2024\nSub Total :  234.00\nTotal GST :  14.04\nRounding :  0.01\nTotal :\nCASH :  24805\nChange :  0.00',
    );
    expect(r.total).toBe('248.05');
  });

  it('takes total + rounding when cash − change agrees and the rounded total line was misread', () => {
    const text = (rounded: string) =>
      `KEDAI CONTOH\n12/01/2024\nTOTAL  RM 33.92\nROUNDING ADJUSTMENT  -RM 0.02\nTOTAL ROUNDED  RM ${rounded}\nCASH  RM 50.00\nCHANGE  RM 16.10`;
    expect(parse(text('33.80')).total).toBe('33.90');
    expect(parse(text('33.90')).total).toBe('33.90');
    // Without a total printed below the adjustment, the printed total stays (it may be the one due).
    expect(parse('KEDAI CONTOH\n12/01/2024\nTOTAL  38.37\nCASH  40.35\nROUNDING  -0.02\nCHANGE  2.00').total).toBe(
      '38.37',
    );
  });

  it('sums the totals per VAT rate when the total payable is unreadable, and distrusts a one-decimal amount', () => {
    const text = (payable: string) =>
      `BOULANGERIE CONTOH\n03/08/2024\nTotal 0% supplies: 19.83\nTotal 6% supplies (excl. GST): 30.24\nTotal 6% supplies (Inc. GST): 32.05\nTotal Payable: ${payable}`;
    expect(parse(text('- 514$')).total).toBe('51.88');
    expect(parse(text('51.8')).total).toBe('51.88');
    expect(parse(text('51.88')).total).toBe('51.88');
  });

  it('takes a "Sub Total" printed after tax (gross + tax) when no total line carries an amount', () => {
    const r = parse(
      'KEDAI CONTOH SDN BHD\n04/12/2024\nGross Amount :  40.00\nTotal GST Amt :  2.40\nSub Total   42.40\nRounding Adj. :\nTotal (RM) :  Gri\nAmount Paid :',
    );
    expect(r.total).toBe('42.40');
    // The usual order (subtotal, tax, total) is unchanged.
    expect(parse('KEDAI CONTOH\n04/12/2024\nSub Total  40.00\nGST 6%  2.40\nTOTAL  42.40').total).toBe('42.40');
  });

  it('takes subtotal + a tax printed without its decimal point + rounding when cash − change agrees', () => {
    const text = (cash: string) =>
      `KEDAI CONTOH\n13/03/2024\nTotal Sales (Excluding GST) :  95.17\nTotal GST :  571\nRounding :  0.02\nTotal Sales (Inclusive of GST) :  100.50\nCASH :  ${cash}\nChange :  0.10`;
    expect(parse(text('101.00')).total).toBe('100.90');
    // No agreement: the printed total stays.
    expect(parse(text('102.00')).total).toBe('100.50');
  });

  it('keeps a printed total over a cash − change that disagrees with it', () => {
    const r = parse('KEDAI CONTOH\n01/02/2024\nTOTAL (INCLUSIVE OF GST)  8.50\nCASH  10.50\nCHANGE  1.00');
    expect(r.total).toBe('8.50');
  });

  it('finds nothing in text that is not a receipt', () => {
    const r = parse('Dear team,\nplease find the minutes of the meeting attached.\nRegards');
    expect(r.total).toBeUndefined();
    expect(r.date).toBeUndefined();
    expect(r.warnings).toContain('no total found');
  });

  it('recovers vendor, date and total of generated receipts in both locales (property)', () => {
    const item = fc.record({
      name: fc.constantFrom('Café', 'Croissant', 'Sandwich', 'Water', 'Salade', 'Tea', 'Pizza'),
      minor: fc.bigInt({ min: 50n, max: 50_000n }),
    });
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('fr' as const, 'en' as const),
        fc.date({ min: new Date('2015-01-01'), max: new Date('2026-05-01'), noInvalidDate: true }),
        fc.constantFrom('LE PETIT BISTROT', 'GREEN LEAF CAFE', 'MAISON DUPONT SARL'),
        (items, locale, date, vendor) => {
          const total = items.reduce((s, i) => s + i.minor, 0n);
          const fmt = (m: bigint): string => formatLocaleAmount(m, 2, locale);
          const p = (n: number): string => String(n).padStart(2, '0');
          const printedDate = `${p(date.getUTCDate())}/${p(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
          const lines = [
            vendor,
            locale === 'fr' ? '1 place du Marché 69001 Lyon' : '1 Market Street',
            `${locale === 'fr' ? 'Le' : 'Date'} ${printedDate} 12:00`,
            ...items.map((i) => `${i.name}    ${fmt(i.minor)}`),
            `${locale === 'fr' ? 'TOTAL TTC' : 'TOTAL'}    ${fmt(total)}${locale === 'fr' ? ' €' : ''}`,
            locale === 'fr' ? `CB    ${fmt(total)}` : `CASH    ${fmt(total + 1000n)}`,
            ...(locale === 'en' ? ['CHANGE    10.00'] : []),
          ];
          const r = parse(lines.join('\n'), locale === 'fr' ? { country: 'FR' } : {});
          expect(r.vendor).toBe(vendor);
          expect(r.date).toBe(`${date.getUTCFullYear()}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())}`);
          expect(r.total).toBe(`${total / 100n}.${String(total % 100n).padStart(2, '0')}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 30 }), (lines) => {
        const r = parse(lines.join('\n'));
        expect(receiptJsonSchema.safeParse(r).success).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
