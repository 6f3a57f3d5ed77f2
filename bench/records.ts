import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from '../functions/src/testing/stack';

/**
 * The bench's Dynamics records: the seeded Dataverse fixture plus opportunities of its own, each with a given
 * number of write-in lines (distinct names, prices and quantities), loaded in one fixture.
 */

const PRICE_LEVEL = '5e2b0000-0000-4000-8000-000000000001';

const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');
const opportunityId = (n: number): string => `0a1b0000-0000-4000-8009-${hex(n, 12)}`;
const lineId = (n: number, index: number): string => `2c3d0000-0000-4000-8009-${hex(n * 1000 + index, 12)}`;

export interface BenchRecord {
  id: string;
  lineIds: string[];
}

interface DataverseFixture {
  records: Record<string, Record<string, unknown>[]>;
}

/** Loads one record per entry of `lineCounts` (with that many lines), in order. */
export async function loadBenchRecords(stack: Stack, lineCounts: readonly number[]): Promise<BenchRecord[]> {
  const path = join(__dirname, '..', 'simulators', 'fixtures', 'dataverse.json');
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as DataverseFixture;
  const opportunities = fixture.records.opportunities ?? [];
  const lines = fixture.records.opportunityproducts ?? [];
  const records = lineCounts.map((count, index) => {
    const n = index + 1;
    opportunities.push({
      opportunityid: opportunityId(n),
      name: `Bench record ${String(n)}`,
      pricelevelid: PRICE_LEVEL,
    });
    const ids = Array.from({ length: count }, (_, i) => lineId(n, i + 1));
    ids.forEach((id, i) => {
      lines.push({
        opportunityproductid: id,
        opportunityid: opportunityId(n),
        isproductoverridden: true,
        productdescription: `Bench item ${String(i + 1)}`,
        priceperunit: 100 + i,
        quantity: 1 + (i % 7),
        description: `Line ${String(i + 1)} of ${String(count)}`,
        sequencenumber: i + 1,
      });
    });
    return { id: opportunityId(n), lineIds: ids };
  });
  fixture.records.opportunities = opportunities;
  fixture.records.opportunityproducts = lines;
  const loaded = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixture);
  if (loaded.status !== 200) throw new Error(`Dataverse fixture refused: ${loaded.text.slice(0, 500)}`);
  return records;
}
