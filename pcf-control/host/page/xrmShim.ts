import type { XrmApi } from '../../src/standalone/xrmPlatform';
import { implemented } from './contextShim';

/**
 * The `Xrm` a model-driven app's page gives the web resources it holds, over the same Web API as the controls'
 * `context.webAPI` on the host's forms. Members the host lacks throw with their name when read.
 */
export function hostXrm(user: { id: string; name: string }, webAPI: ComponentFramework.WebApi): XrmApi {
  const userSettings = implemented<ReturnType<XrmApi['Utility']['getGlobalContext']>['userSettings']>(
    'Xrm.Utility.getGlobalContext().userSettings',
    { userId: `{${user.id.toUpperCase()}}`, userName: user.name, languageId: 1033 },
  );
  return implemented<XrmApi>('Xrm', {
    Utility: implemented<XrmApi['Utility']>('Xrm.Utility', {
      getGlobalContext: () =>
        implemented<ReturnType<XrmApi['Utility']['getGlobalContext']>>('Xrm.Utility.getGlobalContext()', {
          userSettings,
        }),
    }),
    WebApi: implemented<XrmApi['WebApi']>('Xrm.WebApi', {
      retrieveMultipleRecords: (entity, options, maxPageSize) =>
        webAPI.retrieveMultipleRecords(entity, options, maxPageSize),
      retrieveRecord: (entity, id, options) => webAPI.retrieveRecord(entity, id, options),
    }),
    Navigation: implemented<XrmApi['Navigation']>('Xrm.Navigation', {
      openUrl: (url) => {
        window.open(url, '_blank', 'noopener');
      },
    }),
  });
}
