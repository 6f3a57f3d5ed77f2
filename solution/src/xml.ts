/**
 * The solution's XML documents, laid out as `pac solution pack` and Dataverse's own export write them
 * (docs/solution.md says which real solutions each part follows). Every value goes through `xml()`.
 */
import {
  COMPONENT_TYPE,
  ENVIRONMENT_VARIABLE_TYPE_STRING,
  PUBLISHER,
  SOLUTION,
  WEB_RESOURCE_TYPE,
  type EnvironmentVariableDefinition,
  type WebResourceDefinition,
} from './definition';

/** Dataverse's own exports start every XML part with a UTF-8 byte order mark. */
const BOM = '\uFEFF';
const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for an element or a double-quoted attribute. */
function xml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

export interface ControlEntry {
  /** `<prefix>_<namespace>.<constructor>`: the control's schema name and its folder under Controls/. */
  schemaName: string;
}

export interface WebResourceEntry extends WebResourceDefinition {
  /** A stable id: Dataverse matches a web resource to the one an earlier version installed by it. */
  id: string;
  /** The file's name under WebResources/ in the zip. */
  zipName: string;
}

export interface RootComponent {
  type: number;
  schemaName: string;
}

/** Root components in the order Dataverse exports them: by type, then by name. */
export function rootComponents(
  controls: readonly ControlEntry[],
  webResources: readonly WebResourceEntry[],
  variables: readonly EnvironmentVariableDefinition[],
): RootComponent[] {
  return [
    ...controls.map((control) => ({ type: COMPONENT_TYPE.customControl, schemaName: control.schemaName })),
    ...webResources.map((resource) => ({ type: COMPONENT_TYPE.webResource, schemaName: resource.name })),
    ...variables.map((variable) => ({
      type: COMPONENT_TYPE.environmentVariableDefinition,
      schemaName: variable.schemaName,
    })),
  ].sort((a, b) => a.type - b.type || a.schemaName.localeCompare(b.schemaName, 'en'));
}

/** The publisher's two (empty) addresses, as Dataverse exports a publisher with none. */
function address(number: number): string {
  const nil = (name: string) => `          <${name} xsi:nil="true"></${name}>`;
  return [
    '        <Address>',
    `          <AddressNumber>${number}</AddressNumber>`,
    '          <AddressTypeCode>1</AddressTypeCode>',
    ...['City', 'County', 'Country', 'Fax', 'FreightTermsCode', 'ImportSequenceNumber'].map(nil),
    ...['Latitude', 'Line1', 'Line2', 'Line3', 'Longitude', 'Name', 'PostalCode', 'PostOfficeBox'].map(nil),
    nil('PrimaryContactName'),
    '          <ShippingMethodCode>1</ShippingMethodCode>',
    ...['StateOrProvince', 'Telephone1', 'Telephone2', 'Telephone3', 'TimeZoneRuleVersionNumber'].map(nil),
    ...['UPSZone', 'UTCOffset', 'UTCConversionTimeZoneCode'].map(nil),
    '        </Address>',
  ].join('\n');
}

export function solutionXml(options: {
  version: string;
  managed: boolean;
  components: readonly RootComponent[];
}): string {
  const language = SOLUTION.languageCode;
  const roots = options.components
    .map(
      (component) =>
        `      <RootComponent type="${component.type}" schemaName="${xml(component.schemaName)}" behavior="0" />`,
    )
    .join('\n');
  return `${BOM}${DECLARATION}
<ImportExportXml version="9.1.0.643" SolutionPackageVersion="9.1" languagecode="${language}" generatedBy="CrmLive" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <SolutionManifest>
    <!-- Unique Name of Cds Solution-->
    <UniqueName>${xml(SOLUTION.uniqueName)}</UniqueName>
    <LocalizedNames>
      <LocalizedName description="${xml(SOLUTION.displayName)}" languagecode="${language}" />
    </LocalizedNames>
    <Descriptions>
      <Description description="${xml(SOLUTION.description)}" languagecode="${language}" />
    </Descriptions>
    <Version>${xml(options.version)}</Version>
    <!-- Solution Package Type: Unmanaged(0)/Managed(1)/Both(2)-->
    <Managed>${options.managed ? 1 : 0}</Managed>
    <Publisher>
      <UniqueName>${xml(PUBLISHER.uniqueName)}</UniqueName>
      <LocalizedNames>
        <LocalizedName description="${xml(PUBLISHER.displayName)}" languagecode="${language}" />
      </LocalizedNames>
      <Descriptions>
        <Description description="${xml(PUBLISHER.description)}" languagecode="${language}" />
      </Descriptions>
      <EMailAddress xsi:nil="true"></EMailAddress>
      <SupportingWebsiteUrl xsi:nil="true"></SupportingWebsiteUrl>
      <CustomizationPrefix>${xml(PUBLISHER.prefix)}</CustomizationPrefix>
      <CustomizationOptionValuePrefix>${PUBLISHER.optionValuePrefix}</CustomizationOptionValuePrefix>
      <Addresses>
        <!-- Address of the Publisher-->
${address(1)}
${address(2)}
      </Addresses>
    </Publisher>
    <RootComponents>
${roots}
    </RootComponents>
    <MissingDependencies />
  </SolutionManifest>
</ImportExportXml>`;
}

/** One `<WebResource>`, its elements in the order of the customizations schema (webresourcetype). */
function webResourceXml(resource: WebResourceEntry, version: string): string {
  return `    <WebResource>
      <WebResourceId>{${xml(resource.id)}}</WebResourceId>
      <Name>${xml(resource.name)}</Name>
      <DisplayName>${xml(resource.displayName)}</DisplayName>
      <Description>${xml(resource.description)}</Description>
      <LanguageCode>${SOLUTION.languageCode}</LanguageCode>
      <WebResourceType>${WEB_RESOURCE_TYPE[resource.type]}</WebResourceType>
      <IntroducedVersion>${xml(version)}</IntroducedVersion>
      <IsEnabledForMobileClient>0</IsEnabledForMobileClient>
      <IsAvailableForMobileOffline>0</IsAvailableForMobileOffline>
      <IsCustomizable>1</IsCustomizable>
      <CanBeDeleted>1</CanBeDeleted>
      <IsHidden>0</IsHidden>
      <FileName>/WebResources/${xml(resource.zipName)}</FileName>
    </WebResource>`;
}

/** The sections of the reference export, with `<WebResources>` where the schema puts it: before CustomControls. */
export function customizationsXml(options: {
  version: string;
  controls: readonly ControlEntry[];
  webResources: readonly WebResourceEntry[];
}): string {
  const resources = options.webResources.map((resource) => webResourceXml(resource, options.version));
  const controls = options.controls.map(
    (control) => `    <CustomControl>
      <Name>${xml(control.schemaName)}</Name>
      <FileName>/Controls/${xml(control.schemaName)}/ControlManifest.xml</FileName>
    </CustomControl>`,
  );
  return `${BOM}${DECLARATION}
<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Entities />
  <Roles />
  <Workflows />
  <FieldSecurityProfiles />
  <Templates />
  <EntityMaps />
  <EntityRelationships />
  <OrganizationSettings />
  <optionsets />
  <WebResources>
${resources.join('\n')}
  </WebResources>
  <CustomControls>
${controls.join('\n')}
  </CustomControls>
  <SolutionPluginAssemblies />
  <EntityDataProviders />
  <Languages>
    <Language>${SOLUTION.languageCode}</Language>
  </Languages>
</ImportExportXml>`;
}

/** Defaults by extension for the files that have one; an Override for each manifest and each web resource file. */
export function contentTypesXml(options: {
  extensions: readonly string[];
  overrides: readonly string[];
}): string {
  const type = (extension: string) => (extension === 'xml' ? 'text/xml' : 'application/octet-stream');
  const defaults = options.extensions.map(
    (extension) => `<Default Extension="${xml(extension)}" ContentType="${type(extension)}" />`,
  );
  const overrides = options.overrides.map(
    (part) => `<Override PartName="/${xml(part)}" ContentType="application/octet-stream" />`,
  );
  return `${BOM}${DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${[...defaults, ...overrides].join('')}</Types>`;
}

/** `environmentvariabledefinitions/<schema>/environmentvariabledefinition.xml`, as Dataverse exports one. */
export function environmentVariableXml(variable: EnvironmentVariableDefinition, version: string): string {
  const label = (text: string) =>
    `    <label description="${xml(text)}" languagecode="${SOLUTION.languageCode}" />`;
  return `${BOM}${DECLARATION}
<environmentvariabledefinition schemaname="${xml(variable.schemaName)}">
  <description default="${xml(variable.description)}">
${label(variable.description)}
  </description>
  <displayname default="${xml(variable.displayName)}">
${label(variable.displayName)}
  </displayname>
  <introducedversion>${xml(version)}</introducedversion>
  <iscustomizable>1</iscustomizable>
  <isrequired>${variable.required ? 1 : 0}</isrequired>
  <secretstore>0</secretstore>
  <type>${ENVIRONMENT_VARIABLE_TYPE_STRING}</type>
</environmentvariabledefinition>`;
}
