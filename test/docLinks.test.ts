import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brokenLinks, markdownFiles } from './docLinks';

const REPOSITORY = resolve(__dirname, '..');

describe("the product's documents", () => {
  it('link only to files and headings inside the repository', () => {
    expect(markdownFiles(REPOSITORY)).toEqual(expect.arrayContaining(['README.md', 'docs/sync-rules.md']));
    expect(brokenLinks(REPOSITORY)).toEqual([]);
  });
});

describe('the link check', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'doc-links-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'rules.md'), '# Sync rules\n\n## Push updates to Oneflow\n');
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const check = (readme: string) => {
    writeFileSync(join(root, 'README.md'), readme);
    return brokenLinks(root).map(({ file, line, target, problem }) => ({ file, line, target, problem }));
  };

  it('accepts links to files, headings and the web', () => {
    expect(
      check(
        [
          '[rules](docs/rules.md), [push](docs/rules.md#push-updates-to-oneflow), [folder](docs/)',
          '[here](#title) [web](https://developer.oneflow.com) [mail](mailto:x@example.com)',
          '# Title',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('reports a missing file, a missing heading and a link out of the repository, with their lines', () => {
    expect(
      check(
        [
          '# Title',
          '',
          'See [design](../shared/DESIGN.md).',
          '',
          '[gone](docs/missing.md) and [pull](docs/rules.md#fetch-updates)',
        ].join('\n'),
      ),
    ).toEqual([
      { file: 'README.md', line: 3, target: '../shared/DESIGN.md', problem: 'leads outside the repository' },
      { file: 'README.md', line: 5, target: 'docs/missing.md', problem: 'no such file' },
      {
        file: 'README.md',
        line: 5,
        target: 'docs/rules.md#fetch-updates',
        problem: 'no heading #fetch-updates',
      },
    ]);
  });

  it('skips installed and generated folders', () => {
    mkdirSync(join(root, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'pkg', 'README.md'), '[x](nowhere.md)');
    expect(check('# Title')).toEqual([]);
  });
});
