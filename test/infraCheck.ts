import {
  APP_SETTINGS,
  ORG_KEY_PLACEHOLDER,
  perOrgSettingName,
  type AppSetting,
} from '../functions/src/config/appSettings';

/**
 * A small, strict reader of infra/main.bicep. Bicep cannot be compiled here, so the template keeps its app settings
 * in a fixed shape this reader understands (one object of common settings, one object of backend-credential
 * alternatives, one `toObject(orgs, …)` line per per-org setting, their `union` as the `appsettings` config) and
 * anything else is reported rather than guessed at.
 */

/** Azure built-in role definitions the template may assign, by id (the same in every tenant). */
const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
};

/** The role each scope's identity needs, by the resource symbol the template scopes it to. */
const REQUIRED_ROLES: readonly { role: string; scope: string }[] = [
  { role: 'Storage Blob Data Owner', scope: 'storage' },
  { role: 'Storage Queue Data Contributor', scope: 'storage' },
  { role: 'Storage Table Data Contributor', scope: 'storage' },
  { role: 'Monitoring Metrics Publisher', scope: 'appInsights' },
  { role: 'Key Vault Secrets User', scope: 'keyVault' },
];

/** Microsoft.Web resources need this API version or later for `functionAppConfig` (Flex Consumption). */
const FLEX_MIN_WEB_API_VERSION = '2023-12-01';

const KEY_VAULT_REFERENCE =
  /^@Microsoft\.KeyVault\(VaultName=\$\{keyVaultName\};SecretName=([A-Za-z0-9${}.-]+)\)$/;

/** A line with its 1-based number, outside comments; `skeleton` also blanks what is inside strings. */
interface Line {
  number: number;
  text: string;
  skeleton: string;
}

type Context = '(' | '[' | '{' | "'" | '${';

/**
 * The text with comments blanked out (`code`), the same with string contents blanked too (`skeleton`, for
 * counting brackets), and any unbalanced bracket or string. Strings are single-quoted with `\` escapes and
 * `${…}` interpolation, or `'''` multi-line without either.
 */
function scanBicep(text: string): { code: string; skeleton: string; problems: string[] } {
  const problems: string[] = [];
  const code = text.split('');
  const skeleton = text.split('');
  const stack: { context: Context; line: number }[] = [];
  const closes: Record<string, Context> = { ')': '(', ']': '[', '}': '{' };
  const blank = (from: number, to: number, alsoCode: boolean) => {
    for (let at = from; at < to; at += 1) {
      if (text[at] === '\n') continue;
      skeleton[at] = ' ';
      if (alsoCode) code[at] = ' ';
    }
  };
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const char = text[i] ?? '';
    const next = text[i + 1] ?? '';
    const top = stack.at(-1);
    if (top?.context === "'") {
      if (char === '\n') {
        problems.push(`line ${line}: a string is not closed`);
        stack.pop();
        line += 1;
        i += 1;
      } else if (char === '\\') {
        blank(i, i + 2, false);
        i += 2;
      } else if (char === "'") {
        stack.pop();
        i += 1;
      } else if (char === '$' && next === '{') {
        stack.push({ context: '${', line });
        i += 2;
      } else {
        blank(i, i + 1, false);
        i += 1;
      }
      continue;
    }
    if (char === '\n') line += 1;
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      const stop = end === -1 ? text.length : end + 3;
      if (end === -1) problems.push(`line ${line}: a multi-line string is not closed`);
      line += text.slice(i, stop).split('\n').length - 1;
      blank(i + 3, stop - 3, false);
      i = stop;
      continue;
    }
    if (char === '/' && (next === '/' || next === '*')) {
      const end = next === '/' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : next === '/' ? end : end + 2;
      if (end === -1 && next === '*') problems.push(`line ${line}: a comment is not closed`);
      line += text.slice(i, stop).split('\n').length - 1;
      blank(i, stop, true);
      i = stop;
      continue;
    }
    if (char === "'" || char === '(' || char === '[' || char === '{') {
      stack.push({ context: char, line });
    } else if (char === ')' || char === ']' || char === '}') {
      const open = stack.pop();
      const expected = char === '}' && open?.context === '${' ? '${' : closes[char];
      if (open === undefined || open.context !== expected) {
        problems.push(
          `line ${line}: "${char}" closes ${open ? `"${open.context}" of line ${open.line}` : 'nothing'}`,
        );
      }
    }
    i += 1;
  }
  for (const open of stack) problems.push(`line ${open.line}: "${open.context}" is never closed`);
  return { code: code.join(''), skeleton: skeleton.join(''), problems };
}

function linesOf(bicep: string): Line[] {
  const { code, skeleton } = scanBicep(bicep);
  const skeletonLines = skeleton.split('\n');
  return code.split('\n').map((text, index) => ({
    number: index + 1,
    text: text.replace(/\s+$/, ''),
    skeleton: skeletonLines[index] ?? '',
  }));
}

const depthChange = (line: Line) =>
  (line.skeleton.match(/[{[(]/g) ?? []).length - (line.skeleton.match(/[}\])]/g) ?? []).length;

/** The lines of the block that opens on the line matching `start` (that line excluded), up to its closing line. */
function blockAfter(lines: readonly Line[], start: RegExp): Line[] | null {
  const first = lines.findIndex((line) => start.test(line.text));
  if (first === -1) return null;
  let depth = 0;
  for (let index = first; index < lines.length; index += 1) {
    const line = lines[index];
    if (line !== undefined) depth += depthChange(line);
    if (depth === 0) return lines.slice(first + 1, index);
  }
  return null;
}

type ObjectLiteral = Map<string, string | ObjectLiteral>;

/** A Bicep object literal written one property per line (`key: value` or `key: {` … `}`). */
function readObject(lines: readonly Line[], problems: string[], where: string): ObjectLiteral {
  const result: ObjectLiteral = new Map();
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    if (line === undefined || line.text.trim() === '') continue;
    const match = /^\s*('?)([A-Za-z_][A-Za-z0-9_]*)\1:\s*(.+)$/.exec(line.text);
    if (match === null) {
      problems.push(`${where}, line ${line.number}: not a "name: value" property: ${line.text.trim()}`);
      continue;
    }
    const [, , key = '', value = ''] = match;
    if (result.has(key)) problems.push(`${where}, line ${line.number}: ${key} is set twice`);
    if (value === '{') {
      const inner = blockAfter(lines.slice(index), /\{$/) ?? [];
      result.set(key, readObject(inner, problems, where));
      index += inner.length + 1;
    } else result.set(key, value);
  }
  return result;
}

/** `'text ${expression}'` as a template: its literal parts and `${…}` expressions in order. */
function stringLiteral(value: string): string | null {
  return /^'((?:[^'\\]|\\.)*)'$/.exec(value)?.[1] ?? null;
}

/**
 * The few Bicep functions a per-org setting name may be built with, evaluated for one org key. Anything else is
 * an error, so the check never passes on an expression it did not understand.
 */
export function evaluateOrgExpression(expression: string, orgKey: string): string {
  const text = expression.trim();
  if (text === 'org.orgKey') return orgKey;
  const literal = /^'([^'\\]*)'$/.exec(text);
  if (literal) return literal[1] ?? '';
  const call = /^(\w+)\((.*)\)$/.exec(text);
  if (call === null) throw new Error(`cannot evaluate ${text}`);
  const [, name, rawArgs = ''] = call;
  const args: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of rawArgs) {
    if (char === "'") quoted = !quoted;
    if (!quoted && char === '(') depth += 1;
    if (!quoted && char === ')') depth -= 1;
    if (!quoted && depth === 0 && char === ',') {
      args.push(current);
      current = '';
    } else current += char;
  }
  args.push(current);
  const values = args.map((arg) => evaluateOrgExpression(arg, orgKey));
  if (name === 'toUpper' && values.length === 1) return (values[0] ?? '').toUpperCase();
  if (name === 'toLower' && values.length === 1) return (values[0] ?? '').toLowerCase();
  if (name === 'replace' && values.length === 3) {
    const [input = '', from = '', to = ''] = values;
    return input.split(from).join(to);
  }
  throw new Error(`cannot evaluate ${text}`);
}

/** A per-org app setting the template generates from `orgs`. */
interface PerOrgSetting {
  /** The name with `<ORGKEY>` for the org key's part, e.g. `ONEFLOW_API_TOKEN__<ORGKEY>`. */
  pattern: string;
  /** The name for one org key, as the template computes it. */
  nameFor: (orgKey: string) => string;
  /** The Key Vault secret name template, with `${org.orgKey}`. */
  secretName: string | null;
  value: string;
}

interface TemplateSettings {
  common: Map<string, string>;
  /** Settings of each `backendCredential` choice. */
  alternatives: Map<string, Map<string, string>>;
  perOrg: PerOrgSetting[];
  /** The `@allowed` values of the `backendCredential` parameter. */
  backendCredentialChoices: string[];
}

const PER_ORG_LINE =
  /^var (\w+) = toObject\(orgs, org => '([A-Z0-9_]+)__\$\{(.+?)\}', org => '((?:[^'\\]|\\.)*)'\)$/;

interface Declarations {
  params: { name: string; line: number; decorators: string[]; hasDefault: boolean }[];
  resources: { symbol: string; type: string; version: string; line: number; body: Line[] }[];
}

function declarations(lines: readonly Line[], problems: string[]): Declarations {
  const result: Declarations = { params: [], resources: [] };
  let decorators: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    if (line === undefined) continue;
    const text = line.text;
    if (text.trim() === '') continue;
    if (text.startsWith('@')) {
      // A decorator may span lines (`@allowed([` … `])`).
      let decorator = text;
      let depth = depthChange(line);
      while (depth > 0 && index + 1 < lines.length) {
        index += 1;
        const more = lines[index];
        decorator += `\n${more?.text ?? ''}`;
        depth += more ? depthChange(more) : 0;
      }
      decorators.push(decorator);
      continue;
    }
    const param = /^param (\w+) \S+( =)?/.exec(text);
    if (param) {
      result.params.push({
        name: param[1] ?? '',
        line: line.number,
        decorators,
        hasDefault: Boolean(param[2]),
      });
    }
    const resource = /^resource (\w+) '([^']*)'/.exec(text);
    if (resource) {
      const [, symbol = '', typeAndVersion = ''] = resource;
      const [type = '', version = ''] = typeAndVersion.split('@');
      if (!version) problems.push(`line ${line.number}: resource ${symbol} names no API version`);
      result.resources.push({
        symbol,
        type,
        version,
        line: line.number,
        body: blockAfter(lines.slice(index), /\{$/) ?? [],
      });
    }
    decorators = [];
  }
  return result;
}

/** The template's app settings, read strictly; what cannot be read is a problem. */
export function readTemplateSettings(bicep: string, problems: string[]): TemplateSettings {
  const lines = linesOf(bicep);
  const flat = (object: ObjectLiteral, where: string): Map<string, string> => {
    const result = new Map<string, string>();
    for (const [key, value] of object) {
      if (typeof value === 'string') result.set(key, value);
      else problems.push(`${where}: ${key} is an object, not a setting value`);
    }
    return result;
  };
  const commonLines = blockAfter(lines, /^var commonAppSettings = \{$/);
  if (commonLines === null) problems.push('main.bicep has no "var commonAppSettings = {" object');
  const common = flat(readObject(commonLines ?? [], problems, 'commonAppSettings'), 'commonAppSettings');

  const alternativeLines = blockAfter(lines, /^var backendCredentialSettings = \{$/);
  if (alternativeLines === null)
    problems.push('main.bicep has no "var backendCredentialSettings = {" object');
  const alternatives = new Map<string, Map<string, string>>();
  for (const [choice, value] of readObject(alternativeLines ?? [], problems, 'backendCredentialSettings')) {
    if (typeof value === 'string') problems.push(`backendCredentialSettings.${choice} is not an object`);
    else alternatives.set(choice, flat(value, `backendCredentialSettings.${choice}`));
  }

  const perOrg: PerOrgSetting[] = [];
  const perOrgVariables: string[] = [];
  for (const line of lines) {
    if (!/^var \w+ = toObject\(/.test(line.text)) continue;
    const match = PER_ORG_LINE.exec(line.text);
    if (match === null) {
      problems.push(
        `line ${line.number}: a toObject setting list not in the form "toObject(orgs, org => …, org => …)"`,
      );
      continue;
    }
    const [, variable = '', prefix = '', suffixExpression = '', value = ''] = match;
    perOrgVariables.push(variable);
    perOrg.push({
      pattern: `${prefix}__${ORG_KEY_PLACEHOLDER}`,
      nameFor: (orgKey) => `${prefix}__${evaluateOrgExpression(suffixExpression, orgKey)}`,
      secretName: KEY_VAULT_REFERENCE.exec(value)?.[1] ?? null,
      value: `'${value}'`,
    });
  }

  const union = lines.find((line) => line.text.startsWith('var appSettings = '));
  const expectedUnion = `var appSettings = union(${[
    'commonAppSettings',
    'backendCredentialSettings[backendCredential]',
    ...perOrgVariables,
  ].join(', ')})`;
  if (union?.text !== expectedUnion) {
    problems.push(
      `the settings applied must be exactly "${expectedUnion}", found "${union?.text ?? 'nothing'}"`,
    );
  }
  const { resources, params } = declarations(lines, problems);
  const configs = resources.filter((resource) => resource.type === 'Microsoft.Web/sites/config');
  const appSettingsConfig = configs.find((resource) =>
    resource.body.some((line) => line.text.trim() === "name: 'appsettings'"),
  );
  if (!appSettingsConfig?.body.some((line) => line.text.trim() === 'properties: appSettings')) {
    problems.push('no Microsoft.Web/sites/config "appsettings" resource applies appSettings');
  }
  // A second source of settings would escape this check.
  for (const line of lines) {
    if (/\bappSettings\s*:/.test(line.text))
      problems.push(`line ${line.number}: app settings set outside appSettings`);
  }
  const choiceParam = params.find((param) => param.name === 'backendCredential');
  const allowed = choiceParam?.decorators.find((decorator) => decorator.startsWith('@allowed('));
  const backendCredentialChoices = [...(allowed ?? '').matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '');
  return { common, alternatives, perOrg, backendCredentialChoices };
}

function settingFor(name: string, settings: readonly AppSetting[]): AppSetting | undefined {
  return settings.find((setting) => setting.name === name);
}

const ORG_KEYS_TO_TRY = ['contoso', 'north-wind', 'a1', '9-lives-2'];

/** Every way the template's app settings differ from what the app reads (`APP_SETTINGS`). */
export function settingProblems(bicep: string, settings: readonly AppSetting[] = APP_SETTINGS): string[] {
  const problems: string[] = [];
  const template = readTemplateSettings(bicep, problems);
  const choices = [...template.alternatives.keys()];
  if (choices.join() !== template.backendCredentialChoices.join()) {
    problems.push(
      `backendCredential allows ${template.backendCredentialChoices.join(', ')} but the settings offer ${choices.join(', ')}`,
    );
  }

  // Which declared setting each template entry is, and its value.
  const entries: { setting: AppSetting | undefined; name: string; value: string; where: string }[] = [];
  for (const [name, value] of template.common) {
    entries.push({ setting: settingFor(name, settings), name, value, where: 'commonAppSettings' });
  }
  for (const [choice, alternative] of template.alternatives) {
    for (const [name, value] of alternative) {
      entries.push({
        setting: settingFor(name, settings),
        name,
        value,
        where: `backendCredential ${choice}`,
      });
    }
  }
  for (const perOrg of template.perOrg) {
    const setting = settingFor(perOrg.pattern, settings);
    entries.push({ setting, name: perOrg.pattern, value: perOrg.value, where: 'per org' });
    if (setting && !setting.perOrg)
      problems.push(`${perOrg.pattern} is generated per org, but the app reads it once`);
    for (const orgKey of ORG_KEYS_TO_TRY) {
      const expected = setting ? perOrgSettingName(setting, orgKey) : perOrg.pattern;
      const actual = perOrg.nameFor(orgKey);
      if (actual !== expected)
        problems.push(`for org key ${orgKey} the template sets ${actual}, the app reads ${expected}`);
    }
  }

  for (const { setting, name, value, where } of entries) {
    if (setting === undefined) {
      problems.push(`${where} sets ${name}, which neither the app nor the Functions host reads`);
      continue;
    }
    if (setting.notInAzure)
      problems.push(`${where} sets ${name}, which Azure must not: ${setting.notInAzure}`);
    const literal = stringLiteral(value);
    const isReference = literal !== null && KEY_VAULT_REFERENCE.test(literal);
    if (setting.secret && !isReference)
      problems.push(`${name} is a secret but not a Key Vault reference: ${value}`);
    if (!setting.secret && value.includes('@Microsoft.KeyVault')) {
      problems.push(`${name} is not a secret, yet a Key Vault reference`);
    }
  }

  // Two settings must never read the same secret.
  const secretNames = entries
    .map(({ name, value }) => ({ name, secret: KEY_VAULT_REFERENCE.exec(stringLiteral(value) ?? '')?.[1] }))
    .filter((entry): entry is { name: string; secret: string } => entry.secret !== undefined);
  for (const [index, entry] of secretNames.entries()) {
    const twin = secretNames.slice(index + 1).find((other) => other.secret === entry.secret);
    if (twin) problems.push(`${entry.name} and ${twin.name} read the same secret ${entry.secret}`);
  }

  const perOrgPatterns = new Set(template.perOrg.map((perOrg) => perOrg.pattern));
  const alwaysSet = new Set([...template.common.keys(), ...perOrgPatterns]);
  for (const setting of settings) {
    if ((setting.required === 'required' || setting.required === 'azure') && !alwaysSet.has(setting.name)) {
      problems.push(`${setting.name} is required (${setting.required}) but the template does not set it`);
    }
  }
  const groups = new Set(
    settings.flatMap((setting) => (typeof setting.required === 'object' ? [setting.required.oneOf] : [])),
  );
  for (const group of groups) {
    const members = settings.filter(
      (setting) => typeof setting.required === 'object' && setting.required.oneOf === group,
    );
    const offered = new Set<string>();
    const alternatives =
      template.alternatives.size > 0 ? template.alternatives : new Map([['(none)', new Map()]]);
    for (const [choice, alternative] of alternatives) {
      const set = members.filter(
        (member) => template.common.has(member.name) || alternative.has(member.name),
      );
      if (set.length !== 1) {
        problems.push(
          `backendCredential ${choice} sets ${set.length === 0 ? 'none' : set.map((member) => member.name).join(' and ')} of the ${group} settings; exactly one is needed`,
        );
      }
      for (const member of set) offered.add(member.name);
    }
    for (const member of members) {
      if (!member.notInAzure && !offered.has(member.name)) {
        problems.push(`${member.name} (one of ${group}) cannot be chosen in the template`);
      }
    }
  }
  return problems;
}

/** Lint of the Bicep text: brackets, parameter descriptions, secrets, API versions, role assignments, essentials. */
export function lintProblems(bicep: string): string[] {
  const scan = scanBicep(bicep);
  const problems = [...scan.problems];
  const lines = linesOf(bicep);
  const { params, resources } = declarations(lines, problems);

  for (const param of params) {
    if (!param.decorators.some((decorator) => decorator.startsWith('@description('))) {
      problems.push(`line ${param.line}: param ${param.name} has no @description`);
    }
    if (param.decorators.some((decorator) => decorator.startsWith('@secure(')) && param.hasDefault) {
      problems.push(`line ${param.line}: secure param ${param.name} has a default value`);
    }
  }

  const secretLooking = [
    /AccountKey=/i,
    /SharedAccessSignature=/i,
    /InstrumentationKey=/i,
    /-----BEGIN/,
    /\blistKeys\(/,
    /\blistSecrets\(/,
    /\bclient_secret\b/i,
  ];
  for (const line of lines) {
    for (const pattern of secretLooking) {
      if (pattern.test(line.text))
        problems.push(`line ${line.number}: looks like a secret in the template: ${line.text.trim()}`);
    }
    const property =
      /^\s*(\w*(?:secret|password|token|apikey|sign_?key)):\s*'(?!@Microsoft\.KeyVault\()/i.exec(line.text);
    if (property)
      problems.push(`line ${line.number}: ${property[1] ?? ''} is a literal, not a Key Vault reference`);
  }

  for (const resource of resources) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(resource.version)) {
      problems.push(
        `line ${resource.line}: resource ${resource.symbol} uses API version "${resource.version}", not a stable one`,
      );
    }
    if (resource.type.startsWith('Microsoft.Web/') && resource.version < FLEX_MIN_WEB_API_VERSION) {
      problems.push(
        `line ${resource.line}: ${resource.type} needs ${FLEX_MIN_WEB_API_VERSION} or later for Flex Consumption`,
      );
    }
  }

  // Role assignments name a role of `var roles`, whose ids must be the built-in roles' ids.
  const roleLines = blockAfter(lines, /^var roles = \{$/) ?? [];
  const roleIds = new Map<string, string>();
  for (const [name, value] of readObject(roleLines, problems, 'roles')) {
    const id = typeof value === 'string' ? stringLiteral(value) : null;
    const role = id === null ? undefined : BUILT_IN_ROLES[id];
    if (role === undefined) problems.push(`roles.${name} is not a known built-in role id`);
    else roleIds.set(name, role);
  }
  for (const line of lines) {
    for (const guid of line.text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ??
      []) {
      if (BUILT_IN_ROLES[guid.toLowerCase()] === undefined)
        problems.push(`line ${line.number}: unknown id ${guid}`);
    }
  }
  const assigned: { role: string; scope: string }[] = [];
  for (const resource of resources.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')) {
    const text = resource.body.map((line) => line.text.trim());
    const definition = text
      .map((line) =>
        /^roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roles\.(\w+)\)$/.exec(
          line,
        ),
      )
      .find((match) => match !== null);
    const role = definition ? roleIds.get(definition[1] ?? '') : undefined;
    if (role === undefined) {
      problems.push(
        `line ${resource.line}: role assignment ${resource.symbol} does not name a role of "var roles"`,
      );
      continue;
    }
    const scope = text.map((line) => /^scope: (\w+)$/.exec(line)?.[1]).find(Boolean) ?? '(resource group)';
    if (!text.includes('principalId: functionApp.identity.principalId')) {
      problems.push(
        `line ${resource.line}: role assignment ${resource.symbol} is not for the Function app's identity`,
      );
    }
    assigned.push({ role, scope });
  }
  for (const required of REQUIRED_ROLES) {
    if (!assigned.some((a) => a.role === required.role && a.scope === required.scope)) {
      problems.push(`the Function app's identity lacks ${required.role} on ${required.scope}`);
    }
  }

  // What the deployment must be, property by property.
  const expectations: { type: string; lines: string[] }[] = [
    {
      type: 'Microsoft.Web/serverfarms',
      lines: ["tier: 'FlexConsumption'", "name: 'FC1'", 'reserved: true'],
    },
    {
      type: 'Microsoft.Web/sites',
      lines: [
        "kind: 'functionapp,linux'",
        "type: 'SystemAssigned'",
        "type: 'SystemAssignedIdentity'",
        "name: 'node'",
        "version: '22'",
        'allowedOrigins: []',
        'httpsOnly: true',
        'maximumInstanceCount: maximumInstanceCount',
        'instanceMemoryMB: instanceMemoryMB',
      ],
    },
    {
      type: 'Microsoft.Storage/storageAccounts',
      lines: ['allowSharedKeyAccess: false', "minimumTlsVersion: 'TLS1_2'", 'allowBlobPublicAccess: false'],
    },
    {
      type: 'Microsoft.KeyVault/vaults',
      lines: ['enableRbacAuthorization: true', 'enableSoftDelete: true', 'enablePurgeProtection: true'],
    },
    {
      type: 'Microsoft.Insights/components',
      lines: ['WorkspaceResourceId: logAnalytics.id', 'DisableLocalAuth: true'],
    },
  ];
  for (const expectation of expectations) {
    const resource = resources.find((r) => r.type === expectation.type);
    if (resource === undefined) {
      problems.push(`no ${expectation.type} resource`);
      continue;
    }
    const body = resource.body.map((line) => line.text.trim());
    for (const expected of expectation.lines) {
      if (!body.includes(expected))
        problems.push(`${expectation.type} ${resource.symbol} lacks "${expected}"`);
    }
  }
  return problems;
}

/** The template's parameters: name and whether it has a default. */
export function templateParameters(bicep: string): { name: string; hasDefault: boolean }[] {
  return declarations(linesOf(bicep), []).params.map(({ name, hasDefault }) => ({ name, hasDefault }));
}
