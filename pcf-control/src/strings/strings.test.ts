import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_STRING_KEYS } from '../api/errors';
import { SETTINGS_STRINGS, WIDGET_STRINGS } from '../testing/fakePlatform';
import { parseResx, strictGetString } from './resx';
import { createTranslate } from './strings';

const ROOT = join(__dirname, '..', '..');

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Code every control runs: the root, the API client's error words, sign-in and the platform. */
const COMMON = ['ui', 'api', 'auth', 'platform', 'strings'];

const CONTROLS = [
  { control: 'ProductSyncWidget', folders: [...COMMON, 'widget'], strings: WIDGET_STRINGS },
  { control: 'SyncSettings', folders: [...COMMON, 'settings', 'standalone'], strings: SETTINGS_STRINGS },
];

describe.each(CONTROLS)('the strings of $control', ({ control, folders, strings }) => {
  it('hold every key the code asks for by name', () => {
    const used = new Set<string>(Object.values(ERROR_STRING_KEYS));
    const files = [...folders.map((folder) => join(ROOT, 'src', folder)), join(ROOT, control)].flatMap(
      sources,
    );
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([A-Za-z0-9_]+)'/g)) {
        if (match[1] !== undefined) used.add(match[1]);
      }
    }
    const missing = [...used].filter((key) => !strings.has(key));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(30);
  });

  it('hold the keys the manifest names', () => {
    const manifest = readFileSync(join(ROOT, control, 'ControlManifest.Input.xml'), 'utf8');
    const keys = [...manifest.matchAll(/(?:display-name|description)-key="([^"]+)"/g)].map(
      (match) => match[1],
    );
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.filter((key) => key === undefined || !strings.has(key))).toEqual([]);
  });
});

describe('the strings', () => {
  it('are read strictly: a missing key throws and placeholders are filled', () => {
    const t = createTranslate(
      strictGetString(parseResx('<data name="A"><value>{0} of {1} &amp; {2}</value></data>')),
    );
    expect(t('A', 2, 'three')).toBe('2 of three & {2}');
    expect(() => t('B')).toThrow('Missing resx string: B');
  });

  it('refuse a key defined twice', () => {
    expect(() =>
      parseResx('<data name="A"><value>1</value></data><data name="A"><value>2</value></data>'),
    ).toThrow('defined twice');
  });
});
