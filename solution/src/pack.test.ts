import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import { WEB_RESOURCES } from './definition';
import { checkVersion, packSolution, zipNames, type PackedSolution } from './pack';

const ROOT = join(__dirname, '..', '..');
const PCF_OUT = join(ROOT, 'pcf-control', 'out');
const PACKAGE_JSON = join(__dirname, '..', 'package.json');
const VERSION = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;

const BOM = [0xef, 0xbb, 0xbf];
const CONTROLS = {
  'oneflowsync_OneflowSync.ProductSyncWidget': 'ProductSyncWidget',
  'oneflowsync_OneflowSync.SyncSettings': 'SyncSettings',
} as const;
const ENV_VARS = [
  'oneflowsync_ApiBaseUrl',
  'oneflowsync_ApiScope',
  'oneflowsync_AuthorityHost',
  'oneflowsync_ClientId',
  'oneflowsync_TenantId',
];
const WEB_RESOURCE_FILES = {
  'oneflowsync_/auth/redirect.html': 'auth/redirect.html',
  'oneflowsync_/auth/redirect.js': 'auth/redirect.js',
  'oneflowsync_/settings/index.html': 'settings/index.html',
  'oneflowsync_/settings/settings.js': 'settings/settings.js',
} as const;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false });
/** A manifest's `constructor` attribute needs a prefix (the parser refuses it as a bare key). */
const manifestParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
});

interface ZipEntry {
  name: string;
  method: number;
  data: Uint8Array;
}

/** The central directory as written: names, compression methods; and the data fflate inflates. */
function readZip(path: string): ZipEntry[] {
  const bytes = readFileSync(path);
  const data = unzipSync(bytes);
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = bytes.readUInt16LE(end + 10);
  let offset = bytes.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index++) {
    const method = bytes.readUInt16LE(offset + 10);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extra = bytes.readUInt16LE(offset + 30) + bytes.readUInt16LE(offset + 32);
    const name = bytes.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    entries.push({ name, method, data: data[name] ?? new Uint8Array() });
    offset += 46 + nameLength + extra;
  }
  return entries;
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const withoutBom = (bytes: Uint8Array): string => text(bytes).replace(/^\uFEFF/, '');
const startsWithBom = (bytes: Uint8Array): boolean => BOM.every((byte, index) => bytes[index] === byte);

function xmlOf(entries: ZipEntry[], name: string): Record<string, unknown> {
  const entry = entries.find((candidate) => candidate.name === name);
  if (entry === undefined) throw new Error(`no ${name} in the zip`);
  return parser.parse(withoutBom(entry.data)) as Record<string, unknown>;
}

/** Reads a nested element by path, failing the test with the path when it is not there. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !(key in current)) {
      throw new Error(`no ${path.join('.')}`);
    }
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const built = (...path: string[]): Buffer => readFileSync(join(PCF_OUT, ...path));
/** The folder name Dataverse gives a web resource's file: the name's letters, digits and `_`, then the id. */
const zipNameOf = (name: string, id: string): string =>
  `${name.replace(/[^A-Za-z0-9_]/g, '')}${id.replace(/[{}]/g, '').toUpperCase()}`;

let outDir: string;
let packed: PackedSolution[];
let unmanaged: ZipEntry[];
let managed: ZipEntry[];

beforeAll(() => {
  if (!existsSync(join(PCF_OUT, 'controls')) || !existsSync(join(PCF_OUT, 'webresources'))) {
    throw new Error(`${PCF_OUT} has no build: run \`npm run build -w pcf-control\` before these tests.`);
  }
  outDir = mkdtempSync(join(tmpdir(), 'solution-'));
  packed = packSolution({ pcfOut: PCF_OUT, packageJson: PACKAGE_JSON, outDir });
  unmanaged = readZip(join(outDir, zipNames.unmanaged));
  managed = readZip(join(outDir, zipNames.managed));
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('the solution zips', () => {
  it('are OneflowProductSync.zip (unmanaged) and OneflowProductSync_managed.zip, reporting their sizes', () => {
    expect(packed.map((zip) => [zip.path, zip.managed, zip.bytes])).toEqual([
      [
        join(outDir, 'OneflowProductSync.zip'),
        false,
        readFileSync(join(outDir, 'OneflowProductSync.zip')).length,
      ],
      [
        join(outDir, 'OneflowProductSync_managed.zip'),
        true,
        readFileSync(join(outDir, 'OneflowProductSync_managed.zip')).length,
      ],
    ]);
  });

  it('hold exactly the solution files, both controls, four web resources and five environment variables', () => {
    const webResourceIds = list(
      at(xmlOf(unmanaged, 'customizations.xml'), 'ImportExportXml', 'WebResources', 'WebResource'),
    ).map((resource) => [at(resource, 'Name') as string, at(resource, 'WebResourceId') as string]);
    const expected = [
      '[Content_Types].xml',
      'customizations.xml',
      'solution.xml',
      'Controls/oneflowsync_OneflowSync.ProductSyncWidget/ControlManifest.xml',
      'Controls/oneflowsync_OneflowSync.ProductSyncWidget/bundle.js',
      'Controls/oneflowsync_OneflowSync.ProductSyncWidget/strings/ProductSyncWidget.1033.resx',
      'Controls/oneflowsync_OneflowSync.SyncSettings/ControlManifest.xml',
      'Controls/oneflowsync_OneflowSync.SyncSettings/bundle.js',
      'Controls/oneflowsync_OneflowSync.SyncSettings/strings/SyncSettings.1033.resx',
      ...webResourceIds.map(([name = '', id = '']) => `WebResources/${zipNameOf(name, id)}`),
      ...ENV_VARS.map((name) => `environmentvariabledefinitions/${name}/environmentvariabledefinition.xml`),
    ].sort();
    expect(webResourceIds.map(([name]) => name).sort()).toEqual(Object.keys(WEB_RESOURCE_FILES).sort());
    for (const zip of [unmanaged, managed]) expect(zip.map((entry) => entry.name).sort()).toEqual(expected);
  });

  it('are deflated, with forward slashes and no directory entries', () => {
    for (const entry of [...unmanaged, ...managed]) {
      expect([entry.name, entry.method]).toEqual([entry.name, 8]);
      expect(entry.name).not.toMatch(/\\|\/$|^\//);
    }
  });

  it('pack the same bytes from the same build', () => {
    const again = mkdtempSync(join(tmpdir(), 'solution-again-'));
    try {
      packSolution({ pcfOut: PCF_OUT, packageJson: PACKAGE_JSON, outDir: again });
      for (const name of Object.values(zipNames)) {
        expect(readFileSync(join(again, name)).equals(readFileSync(join(outDir, name)))).toBe(true);
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

describe('the XML', () => {
  it("parses, and the solution's own parts start with a UTF-8 BOM as Dataverse exports them", () => {
    for (const entry of [...unmanaged, ...managed].filter((candidate) =>
      /\.(xml|resx)$/.test(candidate.name),
    )) {
      // fast-xml-parser 5 still ships its validator (moving to its own package, which is not a dependency here).
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      expect([entry.name, XMLValidator.validate(withoutBom(entry.data))]).toEqual([entry.name, true]);
      const own = !entry.name.startsWith('Controls/');
      expect([entry.name, startsWithBom(entry.data)]).toEqual([entry.name, own]);
    }
  });

  it('solution.xml names the solution, its version, the publisher and prefix, in the layout of a pac build', () => {
    const manifest = at(xmlOf(unmanaged, 'solution.xml'), 'ImportExportXml', 'SolutionManifest');
    // The elements, in order, of solution.xml as `pac solution pack` writes it.
    expect(Object.keys(manifest as object)).toEqual([
      'UniqueName',
      'LocalizedNames',
      'Descriptions',
      'Version',
      'Managed',
      'Publisher',
      'RootComponents',
      'MissingDependencies',
    ]);
    expect(Object.keys(at(manifest, 'Publisher') as object)).toEqual([
      'UniqueName',
      'LocalizedNames',
      'Descriptions',
      'EMailAddress',
      'SupportingWebsiteUrl',
      'CustomizationPrefix',
      'CustomizationOptionValuePrefix',
      'Addresses',
    ]);
    expect(at(manifest, 'UniqueName')).toBe('OneflowProductSync');
    expect(at(manifest, 'LocalizedNames', 'LocalizedName')).toEqual({
      description: 'Oneflow product sync',
      languagecode: '1033',
    });
    expect(at(manifest, 'Version')).toBe(VERSION);
    expect(at(manifest, 'Managed')).toBe('0');
    expect(at(manifest, 'Publisher', 'UniqueName')).toBe('OneflowSync');
    expect(at(manifest, 'Publisher', 'CustomizationPrefix')).toBe('oneflowsync');
    expect(at(manifest, 'Publisher', 'CustomizationOptionValuePrefix')).toBe('72431');
    const root = at(xmlOf(unmanaged, 'solution.xml'), 'ImportExportXml') as Record<string, unknown>;
    expect([root.version, root.SolutionPackageVersion, root.languagecode, root.generatedBy]).toEqual([
      '9.1.0.643',
      '9.1',
      '1033',
      'CrmLive',
    ]);
  });

  it('solution.xml lists each control (66), web resource (61) and environment variable (380) as a root component', () => {
    const roots = list(
      at(
        xmlOf(unmanaged, 'solution.xml'),
        'ImportExportXml',
        'SolutionManifest',
        'RootComponents',
        'RootComponent',
      ),
    );
    // By type, then by name, as Dataverse exports them.
    expect(roots).toEqual([
      ...Object.keys(WEB_RESOURCE_FILES)
        .sort()
        .map((schemaName) => ({ type: '61', schemaName, behavior: '0' })),
      ...Object.keys(CONTROLS).map((schemaName) => ({ type: '66', schemaName, behavior: '0' })),
      ...ENV_VARS.map((schemaName) => ({ type: '380', schemaName, behavior: '0' })),
    ]);
  });

  it("customizations.xml has a pac build's sections, with the web resources where the schema puts them", () => {
    const sections = Object.keys(at(xmlOf(unmanaged, 'customizations.xml'), 'ImportExportXml') as object);
    expect(sections).toEqual([
      'Entities',
      'Roles',
      'Workflows',
      'FieldSecurityProfiles',
      'Templates',
      'EntityMaps',
      'EntityRelationships',
      'OrganizationSettings',
      'optionsets',
      'WebResources',
      'CustomControls',
      'SolutionPluginAssemblies',
      'EntityDataProviders',
      'Languages',
      'xmlns:xsi',
    ]);
  });

  it('customizations.xml names each control by the manifest it packs', () => {
    const controls = list(
      at(xmlOf(unmanaged, 'customizations.xml'), 'ImportExportXml', 'CustomControls', 'CustomControl'),
    );
    expect(controls).toEqual(
      Object.keys(CONTROLS).map((name) => ({
        Name: name,
        FileName: `/Controls/${name}/ControlManifest.xml`,
      })),
    );
    expect(at(xmlOf(unmanaged, 'customizations.xml'), 'ImportExportXml', 'Languages', 'Language')).toBe(
      '1033',
    );
  });

  it('[Content_Types].xml has the defaults of the reference and an override per manifest and web resource file', () => {
    const types = at(xmlOf(unmanaged, '[Content_Types].xml'), 'Types') as Record<string, unknown>;
    expect(types.xmlns).toBe('http://schemas.openxmlformats.org/package/2006/content-types');
    expect(list(types.Default)).toEqual([
      { Extension: 'xml', ContentType: 'text/xml' },
      { Extension: 'resx', ContentType: 'application/octet-stream' },
      { Extension: 'js', ContentType: 'application/octet-stream' },
    ]);
    const overridden = unmanaged
      .map((entry) => entry.name)
      .filter((name) => name.endsWith('/ControlManifest.xml') || name.startsWith('WebResources/'));
    expect(list(types.Override)).toEqual(
      overridden.map((name) => ({ PartName: `/${name}`, ContentType: 'application/octet-stream' })),
    );
  });
});

describe('the controls', () => {
  it.each(Object.entries(CONTROLS))(
    '%s is the built %s, byte for byte, at the version of the solution',
    (schema, name) => {
      const manifestBytes = built('controls', name, 'ControlManifest.xml');
      const manifest = manifestParser.parse(manifestBytes.toString('utf8')) as unknown;
      const control = at(manifest, 'manifest', 'control') as Record<string, string>;
      expect(`oneflowsync_${control['@_namespace'] ?? ''}.${control['@_constructor'] ?? ''}`).toBe(schema);
      expect(control['@_version']).toBe(VERSION);
      const resources = at(manifest, 'manifest', 'control', 'resources') as Record<string, unknown>;
      const named = [...list(resources.code), ...list(resources.resx)].map(
        (resource) => at(resource, '@_path') as string,
      );
      expect(named).toEqual(['bundle.js', `strings/${name}.1033.resx`]);
      for (const file of ['ControlManifest.xml', ...named]) {
        const entry = unmanaged.find((candidate) => candidate.name === `Controls/${schema}/${file}`);
        expect(Buffer.from(entry?.data ?? []).equals(built('controls', name, ...file.split('/')))).toBe(true);
      }
    },
  );

  it("the sources' manifests carry the solution's version (bump both with solution/package.json)", () => {
    for (const name of Object.values(CONTROLS)) {
      const source = readFileSync(join(ROOT, 'pcf-control', name, 'ControlManifest.Input.xml'), 'utf8');
      expect([name, at(manifestParser.parse(source), 'manifest', 'control', '@_version')]).toEqual([
        name,
        VERSION,
      ]);
    }
  });
});

describe('the web resources', () => {
  it('are the built files, with type, display name and a stable id in customizations.xml', () => {
    const resources = list(
      at(xmlOf(unmanaged, 'customizations.xml'), 'ImportExportXml', 'WebResources', 'WebResource'),
    );
    for (const resource of resources) {
      const name = at(resource, 'Name') as keyof typeof WEB_RESOURCE_FILES;
      const id = at(resource, 'WebResourceId') as string;
      expect(id).toMatch(/^\{[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}$/);
      const zipName = zipNameOf(name, id);
      expect(resource).toEqual({
        WebResourceId: id,
        Name: name,
        DisplayName: expect.stringMatching(/^Oneflow product sync /) as unknown,
        Description: WEB_RESOURCES.find((resource) => resource.name === name)?.description,
        LanguageCode: '1033',
        WebResourceType: name.endsWith('.html') ? '1' : '3',
        IntroducedVersion: VERSION,
        IsEnabledForMobileClient: '0',
        IsAvailableForMobileOffline: '0',
        IsCustomizable: '1',
        CanBeDeleted: '1',
        IsHidden: '0',
        FileName: `/WebResources/${zipName}`,
      });
      const entry = unmanaged.find((candidate) => candidate.name === `WebResources/${zipName}`);
      const file = WEB_RESOURCE_FILES[name].split('/');
      expect([
        name,
        Buffer.from(entry?.data ?? []).equals(built('webresources', 'oneflowsync_', ...file)),
      ]).toEqual([name, true]);
    }
  });

  it('the redirect page loads its script beside it, so it works at the URL Dynamics serves it at', () => {
    const html = built('webresources', 'oneflowsync_', 'auth', 'redirect.html').toString('utf8');
    expect([...html.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1])).toEqual(['redirect.js']);
    expect(built('webresources', 'oneflowsync_', 'auth', 'redirect.js').toString('utf8')).toContain(
      '@azure/msal-browser',
    );
  });
});

describe('the environment variables', () => {
  it.each(ENV_VARS)(
    '%s is a String definition with a name and description an admin reads, and no default',
    (name) => {
      const definition = at(
        xmlOf(unmanaged, `environmentvariabledefinitions/${name}/environmentvariabledefinition.xml`),
        'environmentvariabledefinition',
      ) as Record<string, unknown>;
      expect(Object.keys(definition)).toEqual([
        'description',
        'displayname',
        'introducedversion',
        'iscustomizable',
        'isrequired',
        'secretstore',
        'type',
        'schemaname',
      ]);
      expect(definition.schemaname).toBe(name);
      expect(definition.type).toBe('100000000');
      expect(definition.secretstore).toBe('0');
      expect(definition.introducedversion).toBe(VERSION);
      expect(definition).not.toHaveProperty('defaultvalue');
      // Only the authority host has a fallback (login.microsoftonline.com) in the controls.
      expect(definition.isrequired).toBe(name === 'oneflowsync_AuthorityHost' ? '0' : '1');
      for (const field of ['displayname', 'description'] as const) {
        const label = definition[field] as {
          default: string;
          label: { description: string; languagecode: string };
        };
        expect(label.label).toEqual({ description: label.default, languagecode: '1033' });
        expect(label.default.length).toBeGreaterThan(field === 'displayname' ? 10 : 40);
      }
      expect((definition.displayname as { default: string }).default).toMatch(/^Oneflow product sync: /);
    },
  );

  it('are the names the controls read', () => {
    const config = readFileSync(join(ROOT, 'pcf-control', 'src', 'platform', 'config.ts'), 'utf8');
    const read = [...config.matchAll(/'(oneflowsync_[A-Za-z]+)'/g)].map((match) => match[1]);
    expect(read.sort()).toEqual(ENV_VARS);
  });
});

describe('managed and unmanaged', () => {
  it('differ only in solution.xml, whose <Managed> is 1 in the managed zip', () => {
    const differing = unmanaged
      .filter((entry) => {
        const other = managed.find((candidate) => candidate.name === entry.name);
        return !Buffer.from(entry.data).equals(Buffer.from(other?.data ?? []));
      })
      .map((entry) => entry.name);
    expect(differing).toEqual(['solution.xml']);
    const lines = (zip: ZipEntry[]) =>
      withoutBom(zip.find((entry) => entry.name === 'solution.xml')?.data ?? new Uint8Array()).split('\n');
    const [ours, theirs] = [lines(unmanaged), lines(managed)];
    const changed = ours.flatMap((line, index) =>
      line === theirs[index] ? [] : [[line.trim(), theirs[index]?.trim()]],
    );
    expect(changed).toEqual([['<Managed>0</Managed>', '<Managed>1</Managed>']]);
  });
});

describe('bad input', () => {
  let broken: string;

  beforeEach(() => {
    broken = mkdtempSync(join(tmpdir(), 'solution-input-'));
    cpSync(PCF_OUT, join(broken, 'out'), { recursive: true });
  });

  afterEach(() => {
    rmSync(broken, { recursive: true, force: true });
  });

  function packBroken(packageJson = PACKAGE_JSON): () => unknown {
    return () => packSolution({ pcfOut: join(broken, 'out'), packageJson, outDir: join(broken, 'zips') });
  }

  it('a missing built control names the file and the build to run, and writes nothing', () => {
    const bundle = join(broken, 'out', 'controls', 'SyncSettings', 'bundle.js');
    rmSync(bundle);
    expect(packBroken()).toThrow(
      `${bundle} (a file of the SyncSettings control) is missing: run \`npm run build -w pcf-control\` first.`,
    );
    expect(existsSync(join(broken, 'zips'))).toBe(false);
  });

  it('a missing web resource names the file and the build to run', () => {
    const page = join(broken, 'out', 'webresources', 'oneflowsync_', 'auth', 'redirect.html');
    rmSync(page);
    expect(packBroken()).toThrow(
      `${page} (the web resource oneflowsync_/auth/redirect.html) is missing: run \`npm run build -w pcf-control\` first.`,
    );
    expect(existsSync(join(broken, 'zips'))).toBe(false);
  });

  it("a control built at another version than the solution's says where to set both", () => {
    const manifest = join(broken, 'out', 'controls', 'ProductSyncWidget', 'ControlManifest.xml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace(`version="${VERSION}"`, 'version="0.0.1"'),
    );
    expect(packBroken()).toThrow(
      `${manifest}: control version 0.0.1 is not the solution's ${VERSION}: set the same version in ` +
        'solution/package.json and pcf-control/ProductSyncWidget/ControlManifest.Input.xml',
    );
    expect(existsSync(join(broken, 'zips'))).toBe(false);
  });

  it('a version Dataverse and the manifests do not both read names package.json', () => {
    const packageJson = join(broken, 'package.json');
    for (const version of ['1.0', '1.0.0-beta.1', '1.0.0.0', '2147483648.0.0', 1]) {
      writeFileSync(packageJson, JSON.stringify({ version }));
      expect(packBroken(packageJson)).toThrow(
        `${packageJson}: version ${JSON.stringify(version)} is not a solution version: use major.minor.patch`,
      );
    }
    expect(checkVersion('2.10.0', 'x')).toBe('2.10.0');
    expect(existsSync(join(broken, 'zips'))).toBe(false);
  });
});
