import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEInvoiceXml } from '../../../shared/domain/extraction/einvoice.ts';
import { receiptToJson } from '../../../shared/domain/extraction/model.ts';

const DATA = resolve(import.meta.dirname, '../../../../shared/data/einvoice');
const read = (rel: string): string => readFileSync(join(DATA, rel), 'utf8');
const json = (rel: string) => {
  const r = parseEInvoiceXml(read(rel));
  if (!r.ok) throw new Error(r.error);
  return receiptToJson(r.receipt);
};

describe('e-invoices (real fixtures)', () => {
  it('reads the Factur-X EN 16931 sample exactly', () => {
    expect(json('akretion_factur-x/factur-x-en16931.xml')).toMatchObject({
      engine: 'cii',
      documentType: 'invoice',
      documentNumber: 'F20260023',
      vendor: 'LE FOURNISSEUR',
      vendorVatNumber: 'FR11123456782',
      vendorSiren: '123456782',
      vendorSiret: '12345678200077',
      date: '2026-01-31',
      currency: 'EUR',
      total: '104.90',
      subtotal: '100.00',
      taxes: [
        { rate: '20.00', base: '11.00', amount: '2.20' },
        { rate: '0.00', base: '60.00', amount: '0.00' },
        { rate: '10.00', base: '27.00', amount: '2.70' },
        { rate: '0.00', base: '2.00', amount: '0.00' },
      ],
      confidence: { total: 1, taxes: 1, vendor: 1, date: 1 },
      warnings: [],
    });
  });

  it('reads the MINIMUM profile (no breakdown: the VAT total alone)', () => {
    const r = json('akretion_factur-x/factur-x-minimum.xml');
    expect(r).toMatchObject({ total: '104.90', subtotal: '100.00', taxes: [{ amount: '4.90' }], lineItems: [] });
  });

  it('reads UBL 2.1 with two VAT rates and 20 lines', () => {
    const r = json('cen_en16931/ubl/ubl-tc434-example1.xml');
    expect(r).toMatchObject({
      engine: 'ubl',
      vendor: 'De Koksmaat',
      vendorVatNumber: 'NL8200.98.395.B.01',
      date: '2015-01-09',
      currency: 'EUR',
      total: '250.33',
      subtotal: '229.60',
      taxes: [
        { rate: '6.00', base: '183.23', amount: '10.99' },
        { rate: '21.00', base: '46.37', amount: '9.74' },
      ],
    });
    expect(r.lineItems).toHaveLength(20);
    expect(r.lineItems[0]).toEqual({
      description: 'PATAT FRITES 10MM 10KG',
      quantity: '2',
      unitPrice: '9.95',
      amount: '19.90',
      taxRate: '6.00',
    });
  });

  it('reads a UBL credit note, a French CTC UBL, a negative invoice and ZUGFeRD 1.0', () => {
    expect(json('cen_en16931/ubl/ubl-tc434-creditnote1.xml')).toMatchObject({
      documentType: 'credit-note',
      total: '100.11',
      vendor: 'My Supplier Company N.V.',
    });
    expect(json('akretion_factur-x/ubl-21-extended-ctc-fr.xml')).toMatchObject({
      total: '308.03',
      taxes: [
        { rate: '20.00', base: '138.00', amount: '27.60' },
        { rate: '5.50', base: '135.00', amount: '7.43' },
      ],
      vendorSiren: '999999998',
    });
    expect(json('cen_en16931/ubl/BIS3_Invoice_negativ.XML')).toMatchObject({ total: '-782179.43', currency: 'DKK' });
    expect(json('akretion_factur-x/zugferd-comfort.xml')).toMatchObject({
      vendor: 'Lieferant GmbH',
      date: '2013-03-05',
      total: '529.87',
      taxes: [
        { rate: '7.00', base: '275.00', amount: '19.25' },
        { rate: '19.00', base: '198.00', amount: '37.62' },
      ],
    });
  });

  it('keeps every fixture arithmetically consistent: Σ VAT per rate, base + VAT = total (EN 16931 BR-CO)', () => {
    const files: string[] = [];
    for (const dir of ['akretion_factur-x', 'cen_en16931/ubl', 'cen_en16931/cii']) {
      for (const f of readdirSync(join(DATA, dir)))
        if (/\.xml$/i.test(f) && !f.startsWith('order-x')) files.push(`${dir}/${f}`);
    }
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) {
      const r = parseEInvoiceXml(read(f));
      expect(r.ok, f).toBe(true);
      if (!r.ok) continue;
      expect(r.receipt.warnings, f).toEqual([]);
      const { total, subtotal, taxes } = r.receipt;
      const vat = taxes.reduce((s, t) => s + t.amount.minor, 0n);
      if (subtotal && total) expect(subtotal.minor + vat, f).toBe(total.minor);
    }
  });

  it('refuses orders, DOCTYPE/entities (XXE) and malformed XML with clear errors', () => {
    const order = parseEInvoiceXml(read('akretion_factur-x/order-x-basic.xml'));
    expect(order).toMatchObject({ ok: false, error: expect.stringMatching(/not a CII or UBL invoice/) });
    const xxe = parseEInvoiceXml(
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>',
    );
    expect(xxe).toMatchObject({ ok: false, error: expect.stringMatching(/DOCTYPE/) });
    const bad = parseEInvoiceXml('<rsm:CrossIndustryInvoice><a></b>');
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/malformed XML/) });
    const noTotal = parseEInvoiceXml(
      '<CrossIndustryInvoice><SupplyChainTradeTransaction><ApplicableHeaderTradeSettlement><InvoiceCurrencyCode>EUR</InvoiceCurrencyCode></ApplicableHeaderTradeSettlement></SupplyChainTradeTransaction></CrossIndustryInvoice>',
    );
    expect(noTotal).toMatchObject({ ok: false, error: expect.stringMatching(/GrandTotalAmount/) });
  });
});
