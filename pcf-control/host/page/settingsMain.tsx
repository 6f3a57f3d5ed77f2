import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { Spinner } from '@fluentui/react-components';
import { controlFor, problems, readConfig, report, signedInUser } from './hostPage';
import { ROOT_ELEMENT_ID, type SettingsPageConfig } from './pageConfig';
import { resourceStrings } from './resources';
import { SettingsPage } from './SettingsPage';
import { formWebApi } from './webApi';

const CONTROL_NAME = 'OneflowSync.SyncSettings';
const SETTINGS_RESX_URL = '/controls/SyncSettings/strings/SyncSettings.1033.resx';

/** The hooks the browser tests read on `window`. */
interface HostWindow {
  formHost?: { getString(key: string): string; problems: string[] };
}

async function start(): Promise<void> {
  const root = document.getElementById(ROOT_ELEMENT_ID);
  if (root === null) throw new Error(`The page has no #${ROOT_ELEMENT_ID}`);
  ReactDOM.render(<Spinner label="Loading the settings page" />, root);
  const config = readConfig() as SettingsPageConfig;
  const Control = controlFor(CONTROL_NAME, config);
  const resx = await fetch(SETTINGS_RESX_URL).then((response) => response.text());
  const getString = resourceStrings(resx, report);
  const webAPI = formWebApi(config.user);
  const user = await signedInUser(config.user, webAPI);
  (window as unknown as HostWindow).formHost = { getString, problems };
  ReactDOM.render(
    <SettingsPage config={config} Control={Control} webAPI={webAPI} user={user} getString={getString} />,
    root,
  );
}

start().catch((error: unknown) => {
  report(error instanceof Error ? error.message : String(error));
});
