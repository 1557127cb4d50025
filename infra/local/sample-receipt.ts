import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A small French restaurant receipt as a text PDF, for the demo and the tests. */
export const makeSampleReceiptPdf = async (opts: { vendor?: string; total?: string; date?: string } = {}) => {
  const vendor = opts.vendor ?? 'BRASSERIE DU MARCHE';
  const total = opts.total ?? '42,50';
  const date = opts.date ?? '14/11/2026';
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([226, 400]);
  const font = await pdf.embedFont(StandardFonts.Courier);
  const lines = [
    vendor,
    '12 rue des Halles 75001 PARIS',
    'SIRET 912 345 675 00012',
    `Le ${date} a 12:47`,
    '',
    '2 x Plat du jour      31,00',
    '1 x Cafe gourmand      8,42',
    '',
    `TOTAL TTC            ${total} EUR`,
    'dont TVA 10%          3,86',
    'CB **** 4242',
  ];
  lines.forEach((text, i) => {
    page.drawText(text, { x: 10, y: 380 - i * 14, size: 8, font });
  });
  return pdf.save();
};
