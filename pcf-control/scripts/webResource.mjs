// The settings page's second build: the same React tree (SettingsRoot) as an HTML web resource an admin can add
// to an app's navigation. Web resources cannot declare platform libraries, so React 16.14 and Fluent 9.46.2 are
// bundled here (the control's bundle takes them from the platform); the strings are the control's resx,
// compiled in.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const PROJECT = join(import.meta.dirname, '..');
/** Where Dynamics serves it: `/WebResources/oneflowsync_/settings/index.html` (the solution's publisher prefix). */
export const WEB_RESOURCE_FOLDER = join(PROJECT, 'out', 'webresources', 'oneflowsync_', 'settings');
export const WEB_RESOURCE_FILES = { page: 'index.html', script: 'settings.js' };
const ENTRY = join(PROJECT, 'src', 'standalone', 'main.tsx');
const RESX = join(PROJECT, 'SyncSettings', 'strings', 'SyncSettings.1033.resx');
/** The element the entry renders into (src/standalone/main.tsx). */
const ROOT_ELEMENT_ID = 'oneflow-sync-settings';

/**
 * `import { z } from 'zod'` read as `import * as z from 'zod'` in the project's own sources. esbuild cannot drop
 * the unused members of a namespace object imported by name, so the first form bundles all of zod with every
 * locale (about 450 KB); from a namespace import it keeps only the schemas used (about 100 KB). Rollup and
 * webpack shake the named form themselves (zod's index.ts says so), so the control's bundle needs none of this.
 */
const zodNamespaceImports = {
  name: 'zod-namespace-imports',
  setup(builder) {
    builder.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      if (args.path.includes('node_modules')) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes("import { z } from 'zod';")) return undefined;
      return {
        contents: source.replaceAll("import { z } from 'zod';", "import * as z from 'zod';"),
        loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts',
      };
    });
  },
};

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The page's title before the script runs: the resx's heading, so even the tab's title is the control's word. */
function heading() {
  const match = /<data\s+name="Settings_Heading"[^>]*>\s*<value>([\s\S]*?)<\/value>/.exec(
    readFileSync(RESX, 'utf8'),
  );
  if (match === null) throw new Error(`${RESX} has no Settings_Heading`);
  return match[1];
}

function page() {
  // The resx value is already XML-escaped; only a raw `<` or quote would need escaping again.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading()}</title>
<style>body { margin: 0; }</style>
</head>
<body>
<main id="${ROOT_ELEMENT_ID}"></main>
<script src="${escapeHtml(WEB_RESOURCE_FILES.script)}"></script>
</body>
</html>
`;
}

/** Builds the web resource into out/webresources; returns the files written. */
export async function buildWebResource() {
  const result = await build({
    entryPoints: [ENTRY],
    absWorkingDir: PROJECT,
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'transform',
    loader: { '.resx': 'text' },
    define: { 'process.env.NODE_ENV': '"production"' },
    // The licences of React, Fluent and MSAL travel in a file beside the script, as pcf-scripts does it.
    legalComments: 'linked',
    outdir: WEB_RESOURCE_FOLDER,
    entryNames: WEB_RESOURCE_FILES.script.replace(/\.js$/, ''),
    plugins: [zodNamespaceImports],
    logLevel: 'warning',
  });
  mkdirSync(WEB_RESOURCE_FOLDER, { recursive: true });
  const written = [];
  for (const file of result.outputFiles) {
    writeFileSync(file.path, file.contents);
    written.push(file.path);
  }
  const html = join(WEB_RESOURCE_FOLDER, WEB_RESOURCE_FILES.page);
  writeFileSync(html, page());
  written.push(html);
  return written;
}
