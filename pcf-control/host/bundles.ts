import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const CONTROL_ROOT = join(__dirname, '..');

/**
 * The globals the platform sets for controls that declare platform libraries (pcf-scripts compiles `react` to
 * `Reactv16` and `@fluentui/react-components` to `FluentUIReactv940`). The host page reads the same ones, so the
 * page and the control share one React and one Fluent, as on a Dynamics form.
 */
const PLATFORM_GLOBALS: Readonly<Record<string, string>> = {
  react: 'Reactv16',
  'react-dom': 'ReactDOM',
  '@fluentui/react-components': 'FluentUIReactv940',
};

const platformGlobals: Plugin = {
  name: 'platform-globals',
  setup(builder) {
    const names = Object.keys(PLATFORM_GLOBALS).map((name) => name.replace(/[/.-]/g, '\\$&'));
    builder.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => ({
      path: args.path,
      namespace: 'platform-global',
    }));
    builder.onLoad({ filter: /.*/, namespace: 'platform-global' }, (args) => ({
      contents: `module.exports = window[${JSON.stringify(PLATFORM_GLOBALS[args.path])}];`,
      loader: 'js',
    }));
  },
};

async function bundle(options: {
  entry: { file: string } | { source: string; loader: 'js' | 'ts' };
  plugins?: Plugin[];
  format?: 'iife' | 'esm';
}): Promise<string> {
  const result = await build({
    ...('file' in options.entry
      ? { entryPoints: [options.entry.file] }
      : {
          stdin: { contents: options.entry.source, loader: options.entry.loader, resolveDir: CONTROL_ROOT },
        }),
    absWorkingDir: CONTROL_ROOT,
    bundle: true,
    write: false,
    minify: true,
    format: options.format ?? 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'transform',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: options.plugins ?? [],
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  return output.text;
}

export interface HostBundles {
  /** The platform libraries, production builds, exactly the versions in node_modules (Fluent 9.46.2). */
  shim: string;
  /** The host page: the form, its product lines and the control's lifecycle. */
  page: string;
  /** The settings page: the SyncSettings control on a page of no record. */
  settingsPage: string;
  /** The web resource's parent page: its `Xrm` and the frame. */
  webResourcePage: string;
}

/** Everything the host serves that is built, in memory, in parallel (about a second). */
export async function buildHostBundles(): Promise<HostBundles> {
  const [shim, page, settingsPage, webResourcePage] = await Promise.all([
    bundle({
      entry: {
        // Fluent through its ES modules: its CommonJS entry requires every icon of @fluentui/react-icons (17 MB).
        source: [
          "import * as FluentUIReactv940 from '@fluentui/react-components';",
          "window.Reactv16 = require('react');",
          "window.ReactDOM = require('react-dom');",
          'window.FluentUIReactv940 = FluentUIReactv940;',
        ].join('\n'),
        loader: 'js',
      },
    }),
    bundle({ entry: { file: join(CONTROL_ROOT, 'host', 'page', 'main.tsx') }, plugins: [platformGlobals] }),
    bundle({
      entry: { file: join(CONTROL_ROOT, 'host', 'page', 'settingsMain.tsx') },
      plugins: [platformGlobals],
    }),
    bundle({ entry: { file: join(CONTROL_ROOT, 'host', 'page', 'webResourceMain.ts') } }),
  ]);
  return { shim, page, settingsPage, webResourcePage };
}
