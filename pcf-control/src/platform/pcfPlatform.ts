import type { IInputs } from '../../ProductSyncWidget/generated/ManifestTypes';
import { readContextInfo } from './contextInfo';
import type { ControlInputs, Platform } from './Platform';

function inputValue(parameter: ComponentFramework.PropertyTypes.StringProperty | undefined): string | null {
  const raw = parameter?.raw;
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : null;
}

function readInputs(parameters: IInputs): ControlInputs {
  return {
    apiBaseUrl: inputValue(parameters.apiBaseUrl),
    clientId: inputValue(parameters.clientId),
    tenantId: inputValue(parameters.tenantId),
    apiScope: inputValue(parameters.apiScope),
    authorityHost: inputValue(parameters.authorityHost),
  };
}

/** The Platform of a control from its ComponentFramework context, read afresh on every updateView. */
export function pcfPlatform(context: ComponentFramework.Context<IInputs>): Platform {
  const info = readContextInfo(context.mode);
  const page = (context as { page?: { entityTypeName?: unknown } }).page;
  const entityName =
    info.entityName ?? (typeof page?.entityTypeName === 'string' ? page.entityTypeName : null) ?? '';
  return {
    record: { entityName, id: info.id, name: info.name },
    user: {
      id: context.userSettings.userId.replace(/[{}]/g, '').toLowerCase(),
      name: context.userSettings.userName,
      languageId: context.userSettings.languageId,
    },
    readOnly: context.mode.isControlDisabled,
    inputs: readInputs(context.parameters),
    webApi: {
      async retrieveMultiple(entityName, options) {
        const answer = await context.webAPI.retrieveMultipleRecords(entityName, options);
        return answer.entities;
      },
      async retrieveRecord(entityName, id, options) {
        return context.webAPI.retrieveRecord(entityName, id, options);
      },
    },
    getString: (key) => context.resources.getString(key),
    formatDecimal: (value, precision) => context.formatting.formatDecimal(value, precision),
    formatDateTime: (value) => context.formatting.formatDateShort(value, true),
    openUrl: (url) => {
      context.navigation.openUrl(url);
    },
  };
}
