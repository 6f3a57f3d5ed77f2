import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { preProcessFile } from 'typescript';

const root = join(__dirname, '..', '..');
const sourceDir = join(root, 'shared', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports, as the TypeScript compiler reads them (imports, exports, requires, import()). */
function importsOf(file: string): string[] {
  return preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map(
    (imported) => imported.fileName,
  );
}

interface LintResult {
  messages: { ruleId: string | null; message: string }[];
}

/** Lints `text` as if it were a file of shared/src, with the project's own ESLint config, in a real eslint process. */
function lintAsEngineSource(text: string): LintResult['messages'] {
  let output: string;
  try {
    output = execFileSync(
      process.execPath,
      [
        join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
        '--format',
        'json',
        '--stdin',
        '--stdin-filename',
        join(sourceDir, 'values.ts'),
      ],
      { cwd: root, input: text, encoding: 'utf8' },
    );
  } catch (error) {
    // eslint exits 1 when it reports problems: its JSON is still on stdout.
    output = (error as { stdout: string }).stdout;
  }
  const [result] = JSON.parse(output) as LintResult[];
  return result?.messages ?? [];
}

describe('the sync engine does no I/O', () => {
  it('shared/src imports only zod, big.js, entities and its own modules (and fast-check in tests)', () => {
    const allowed = (file: string, specifier: string): boolean =>
      specifier.startsWith('.') ||
      specifier === 'zod' ||
      specifier === 'big.js' ||
      // HTML entity decoding for rich-text descriptions: a pure string function.
      specifier === 'entities' ||
      (file.endsWith('.test.ts') && specifier === 'fast-check');
    const offending = sourceFiles(sourceDir).flatMap((file) =>
      importsOf(file)
        .filter((specifier) => !allowed(file, specifier))
        .map((specifier) => `${relative(root, file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('the lint rule refuses every I/O module and global in shared/src', () => {
    const modules = ['axios', 'node:fs', 'fs', 'http', 'https', '@azure/data-tables', 'child_process'];
    const messages = lintAsEngineSource(
      [
        ...modules.map((module, index) => `import * as io${index} from '${module}';`),
        `export const used = [${modules.map((_, index) => `io${index}`).join(', ')}];`,
        `export const load = (): Promise<Response> => fetch(process.env.URL ?? '');`,
        '',
      ].join('\n'),
    );
    const refused = (ruleId: string): number =>
      messages.filter((message) => message.ruleId === ruleId).length;
    expect(refused('no-restricted-imports')).toBe(modules.length);
    expect(refused('no-restricted-globals')).toBe(2);
  });
});
