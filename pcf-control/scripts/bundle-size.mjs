// Prints each control bundle's size, raw and gzipped, after a production build (and writes them to
// out/bundle-sizes.json for the size test).
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const outDir = join(import.meta.dirname, '..', 'out', 'controls');
const sizes = {};
for (const control of existsSync(outDir) ? readdirSync(outDir) : []) {
  const bundle = join(outDir, control, 'bundle.js');
  if (!existsSync(bundle) || !statSync(bundle).isFile()) continue;
  const raw = readFileSync(bundle);
  sizes[control] = { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`${control}/bundle.js: ${kb(sizes[control].raw)} raw, ${kb(sizes[control].gzip)} gzipped`);
}
writeFileSync(
  join(import.meta.dirname, '..', 'out', 'bundle-sizes.json'),
  `${JSON.stringify(sizes, null, 2)}\n`,
);
