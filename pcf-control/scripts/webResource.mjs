// The HTML web resources the solution ships, built into out/webresources under the names Dynamics serves them by.
// The settings page: the same React tree (SettingsRoot) as the SyncSettings control, as a page an admin can add to
// an app's navigation. Web resources cannot declare platform libraries, so React 16.14 and Fluent 9.46.2 are
// bundled here (the control's bundle takes them from the platform); the strings are the control's resx, compiled
// in. The sign-in redirect page: MSAL's redirect bridge, which Entra sends the browser back to after a pop-up or
// silent sign-in (src/auth/redirectBridge.ts); the form host serves these same files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const PROJECT = join(import.meta.dirname, '..');
/** Where Dynamics serves it: `/WebResources/oneflowsync_/settings/index.html` (the solution's publisher prefix). */
export const WEB_RESOURCE_FOLDER = join(PROJECT, 'out', 'webresources', 'oneflowsync_', 'settings');
export const WEB_RESOURCE_FILES = { page: 'index.html', script: 'settings.js' };
/** `/WebResources/oneflowsync_/auth/redirect.html`: the redirect URI of the widget's app registration. */
const REDIRECT_BRIDGE_FOLDER = join(PROJECT, 'out', 'webresources', 'oneflowsync_', 'auth');
const REDIRECT_BRIDGE_FILES = { page: 'redirect.html', script: 'redirect.js' };
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

/**
 * How every web resource is bundled: one minified browser script, written by the caller. The bundled licences
 * (React, Fluent, MSAL) stay at its end: the solution ships each web resource as one file, so a notice in a file
 * beside it would not reach the environment.
 */
const WEB_RESOURCE_BUNDLE = {
  absWorkingDir: PROJECT,
  bundle: true,
  write: false,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  legalComments: 'eof',
  logLevel: 'warning',
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

/** An HTML web resource; the script beside it by a relative path, which holds under any URL Dynamics serves it at. */
function htmlPage(title, body, script) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body { margin: 0; }</style>
</head>
<body>
${body}<script src="${escapeHtml(script)}"></script>
</body>
</html>
`;
}

function settingsPage() {
  // The resx value is already XML-escaped; only a raw `<` or quote would need escaping again.
  return htmlPage(heading(), `<main id="${ROOT_ELEMENT_ID}"></main>\n`, WEB_RESOURCE_FILES.script);
}

/**
 * The redirect bridge: MSAL's own module, which hands the authorization answer in the URL back to the window that
 * asked and closes the pop-up or frame. It shows nothing; the title is what a pop-up shows for that instant.
 */
async function buildRedirectBridge() {
  const result = await build({
    stdin: {
      contents:
        "import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';\n" +
        'broadcastResponseToMainFrame();\n',
      loader: 'js',
      resolveDir: PROJECT,
    },
    ...WEB_RESOURCE_BUNDLE,
  });
  const [script] = result.outputFiles;
  if (script === undefined) throw new Error('esbuild wrote no redirect bridge');
  mkdirSync(REDIRECT_BRIDGE_FOLDER, { recursive: true });
  const files = [
    [REDIRECT_BRIDGE_FILES.script, script.contents],
    [REDIRECT_BRIDGE_FILES.page, htmlPage('Signing in', '', REDIRECT_BRIDGE_FILES.script)],
  ];
  return files.map(([name, contents]) => {
    const path = join(REDIRECT_BRIDGE_FOLDER, name);
    writeFileSync(path, contents);
    return path;
  });
}

/** Builds the web resources into out/webresources; returns the files written. */
export async function buildWebResource() {
  const [settings, bridge] = await Promise.all([buildSettingsPage(), buildRedirectBridge()]);
  return [...settings, ...bridge];
}

async function buildSettingsPage() {
  const result = await build({
    ...WEB_RESOURCE_BUNDLE,
    entryPoints: [ENTRY],
    jsx: 'transform',
    loader: { '.resx': 'text' },
    define: { 'process.env.NODE_ENV': '"production"' },
    outdir: WEB_RESOURCE_FOLDER,
    entryNames: WEB_RESOURCE_FILES.script.replace(/\.js$/, ''),
    plugins: [zodNamespaceImports],
  });
  mkdirSync(WEB_RESOURCE_FOLDER, { recursive: true });
  const written = [];
  for (const file of result.outputFiles) {
    writeFileSync(file.path, file.contents);
    written.push(file.path);
  }
  const html = join(WEB_RESOURCE_FOLDER, WEB_RESOURCE_FILES.page);
  writeFileSync(html, settingsPage());
  written.push(html);
  return written;
}
