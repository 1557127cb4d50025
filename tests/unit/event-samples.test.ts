import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventBridgeEnvelope } from '../../events/envelope.ts';
import { eventCatalogue } from '../../events/index.ts';
import { s3ObjectCreatedEvent } from '../../events/s3.ts';

const dir = join(import.meta.dirname, '../../events/samples');
const samples = Object.fromEntries(
  readdirSync(dir).map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown]),
);

describe('event contracts', () => {
  it('has one sample per event of the catalogue, and each sample validates', () => {
    for (const [name, spec] of Object.entries(eventCatalogue)) {
      expect(samples, `events/samples/${name}.json`).toHaveProperty(name);
      const parsed = eventBridgeEnvelope(name, spec.detail).parse(samples[name]);
      expect(parsed.source).toBe(spec.source);
    }
  });

  it('validates the S3 Object Created sample', () => {
    expect(s3ObjectCreatedEvent.parse(samples.ObjectCreated).detail.object.key).toMatch(/^inbound\//);
  });
});
