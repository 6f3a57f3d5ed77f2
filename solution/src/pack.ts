/**
 * Packs the Dataverse solution from the controls' production build (pcf-control/out): an unmanaged and a managed
 * zip with the entries `pac solution pack` writes, so the solution imports with no .NET tooling on the machine.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { zipSync, type Zippable } from 'fflate';
import {
  CONTROL_NAMES,
  ENVIRONMENT_VARIABLES,
  PUBLISHER,
  SOLUTION,
  WEB_RESOURCES,
  type WebResourceDefinition,
} from './definition';
import {
  contentTypesXml,
  customizationsXml,
  environmentVariableXml,
  rootComponents,
  solutionXml,
  type ControlEntry,
  type WebResourceEntry,
} from './xml';

const BUILD_COMMAND = '`npm run build -w pcf-control`';

/** Zip entries carry this time, so the same sources always pack to the same bytes. */
const ENTRY_TIME = new Date('2026-01-01T00:00:00Z');

/**
 * A fixed namespace for the web resources' ids (a name-based UUID, RFC 4122 version 5): the same name gets the
 * same id in every version, which is how Dataverse updates a web resource in place on an upgrade.
 */
const WEB_RESOURCE_ID_NAMESPACE = '1313c48f-7789-45fd-ab14-b590b78f65ae';

export class SolutionInputError extends Error {
  override readonly name = 'SolutionInputError';
}

/**
 * A solution version Dataverse reads (System.Version: numbers only, each at most 2147483647) that is also the
 * controls' manifest version and npm's: three numbers, no pre-release tag.
 */
export function checkVersion(version: unknown, source: string): string {
  const parts = typeof version === 'string' ? /^(\d+)\.(\d+)\.(\d+)$/.exec(version) : null;
  if (parts === null || parts.slice(1).some((part) => Number(part) > 2147483647)) {
    throw new SolutionInputError(
      `${source}: version ${JSON.stringify(version)} is not a solution version: use major.minor.patch, ` +
        'numbers only (for example 1.0.0).',
    );
  }
  return parts[0];
}

/** The solution's version: solution/package.json "version", the one place it is set. */
function readVersion(packageJsonPath: string): string {
  const json: unknown = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  const version =
    typeof json === 'object' && json !== null ? (json as { version?: unknown }).version : undefined;
  return checkVersion(version, packageJsonPath);
}

function readBuilt(path: string, what: string): Uint8Array {
  if (!existsSync(path)) {
    throw new SolutionInputError(`${path} (${what}) is missing: run ${BUILD_COMMAND} first.`);
  }
  return readFileSync(path);
}

interface BuiltControl extends ControlEntry {
  /** The files the manifest names, by their path in the control's folder (bundle.js, strings/….resx, …). */
  files: Map<string, Uint8Array>;
}

// Attributes keep a prefix: a manifest's `constructor` attribute must not meet Object.prototype.constructor.
const manifestParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
});

type Resource = { '@_path'?: string } | { '@_path'?: string }[];

interface Manifest {
  manifest?: {
    control?: {
      '@_namespace'?: string;
      '@_constructor'?: string;
      '@_version'?: string;
      resources?: { code?: Resource; css?: Resource; resx?: Resource };
    };
  };
}

function listOf<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A control as pcf-scripts built it: its manifest, and every file the manifest names. */
function readControl(controlsFolder: string, name: string, version: string): BuiltControl {
  const folder = join(controlsFolder, name);
  const manifestPath = join(folder, 'ControlManifest.xml');
  const manifestBytes = readBuilt(manifestPath, `the ${name} control's manifest`);
  const control = (manifestParser.parse(Buffer.from(manifestBytes).toString('utf8')) as Manifest).manifest
    ?.control;
  const namespace = control?.['@_namespace'] ?? '';
  if (control === undefined || namespace === '' || control['@_constructor'] !== name) {
    throw new SolutionInputError(
      `${manifestPath}: not the ${name} control's manifest (manifest.control with namespace and constructor="${name}").`,
    );
  }
  if (control['@_version'] !== version) {
    throw new SolutionInputError(
      `${manifestPath}: control version ${String(control['@_version'])} is not the solution's ${version}: set the ` +
        `same version in solution/package.json and pcf-control/${name}/ControlManifest.Input.xml, then run ${BUILD_COMMAND}.`,
    );
  }
  const resources = control.resources ?? {};
  const paths = [...listOf(resources.code), ...listOf(resources.css), ...listOf(resources.resx)].map(
    (resource) => resource['@_path'] ?? '',
  );
  const files = new Map<string, Uint8Array>([['ControlManifest.xml', manifestBytes]]);
  for (const path of paths) {
    if (path === '' || path.startsWith('/') || path.split('/').includes('..')) {
      throw new SolutionInputError(
        `${manifestPath}: resource path "${path}" is not a file in the control's folder.`,
      );
    }
    files.set(path, readBuilt(join(folder, ...path.split('/')), `a file of the ${name} control`));
  }
  return { schemaName: `${PUBLISHER.prefix}_${namespace}.${name}`, files };
}

/** RFC 4122 version 5 (SHA-1, name-based) UUID. */
function nameBasedUuid(name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(WEB_RESOURCE_ID_NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

/** Dataverse names a web resource's file in an export by its name's letters, digits and `_`, then its id. */
function webResourceEntry(definition: WebResourceDefinition): WebResourceEntry {
  const id = nameBasedUuid(definition.name);
  return {
    ...definition,
    id,
    zipName: `${definition.name.replace(/[^A-Za-z0-9_]/g, '')}${id.toUpperCase()}`,
  };
}

interface SolutionInputs {
  version: string;
  controls: BuiltControl[];
  webResources: { entry: WebResourceEntry; bytes: Uint8Array }[];
}

/** Everything the solution packs, read and checked before anything is written. */
function readInputs(options: { pcfOut: string; packageJson: string }): SolutionInputs {
  const version = readVersion(options.packageJson);
  const controls = CONTROL_NAMES.map((name) => readControl(join(options.pcfOut, 'controls'), name, version));
  const webResources = WEB_RESOURCES.map((definition) => ({
    entry: webResourceEntry(definition),
    bytes: readBuilt(
      join(options.pcfOut, 'webresources', ...definition.file.split('/')),
      `the web resource ${definition.name}`,
    ),
  }));
  return { version, controls, webResources };
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** The extensions Content_Types gives a default to, in the order `pac solution pack` writes them. */
const DEFAULT_EXTENSIONS = ['xml', 'resx', 'css', 'js'];

/** The solution's entries by path in the zip, in the order they are written. */
function solutionEntries(inputs: SolutionInputs, managed: boolean): Map<string, Uint8Array> {
  const { version, controls } = inputs;
  const webResources = inputs.webResources.map(({ entry }) => entry);
  const files = new Map<string, Uint8Array>();
  for (const control of controls) {
    for (const [path, bytes] of control.files) files.set(`Controls/${control.schemaName}/${path}`, bytes);
  }
  for (const { entry, bytes } of inputs.webResources) files.set(`WebResources/${entry.zipName}`, bytes);
  for (const variable of ENVIRONMENT_VARIABLES) {
    files.set(
      `environmentvariabledefinitions/${variable.schemaName}/environmentvariabledefinition.xml`,
      utf8(environmentVariableXml(variable, version)),
    );
  }
  const paths = [...files.keys()];
  const extensions = new Set(paths.map((path) => posix.extname(path).slice(1)).concat('xml'));
  const overrides = [
    ...paths.filter((path) => path.endsWith('/ControlManifest.xml')),
    ...webResources.map((entry) => `WebResources/${entry.zipName}`),
  ];
  const components = rootComponents(controls, webResources, ENVIRONMENT_VARIABLES);
  return new Map<string, Uint8Array>([
    ['solution.xml', utf8(solutionXml({ version, managed, components }))],
    ['customizations.xml', utf8(customizationsXml({ version, controls, webResources }))],
    [
      '[Content_Types].xml',
      utf8(
        contentTypesXml({ extensions: DEFAULT_EXTENSIONS.filter((ext) => extensions.has(ext)), overrides }),
      ),
    ],
    ...files,
  ]);
}

/** Deflated entries, forward slashes, no directory entries (fflate writes none for paths given whole). */
function zipEntries(entries: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const zippable: Zippable = {};
  for (const [path, bytes] of entries) zippable[path] = [bytes, { level: 9, mtime: ENTRY_TIME }];
  return zipSync(zippable);
}

export interface PackedSolution {
  path: string;
  managed: boolean;
  bytes: number;
  entries: string[];
}

export const zipNames = {
  unmanaged: `${SOLUTION.uniqueName}.zip`,
  managed: `${SOLUTION.uniqueName}_managed.zip`,
} as const;

/** Reads and checks everything first, then writes both zips into `outDir`. */
export function packSolution(options: {
  pcfOut: string;
  packageJson: string;
  outDir: string;
}): PackedSolution[] {
  const inputs = readInputs(options);
  const packed = [false, true].map((managed) => {
    const entries = solutionEntries(inputs, managed);
    return { managed, entries, zip: zipEntries(entries) };
  });
  mkdirSync(options.outDir, { recursive: true });
  return packed.map(({ managed, entries, zip }) => {
    const path = join(options.outDir, managed ? zipNames.managed : zipNames.unmanaged);
    writeFileSync(path, zip);
    return { path, managed, bytes: zip.length, entries: [...entries.keys()] };
  });
}
