import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { FormPage, LoadingPage } from './FormPage';
import { controlFor, problems, readConfig, report, signedInUser } from './hostPage';
import { ROOT_ELEMENT_ID, type PageConfig } from './pageConfig';
import { resourceStrings } from './resources';
import { formWebApi } from './webApi';

const CONTROL_NAME = 'OneflowSync.ProductSyncWidget';
const RESX_URL = '/controls/ProductSyncWidget/strings/ProductSyncWidget.1033.resx';

/** The hooks the browser tests read on `window`. */
interface HostWindow {
  formHost?: {
    record: { entity: string; id: string; name: string } | null;
    rerender(): void;
    getString(key: string): string;
    problems: string[];
  };
}
const hostWindow = window as unknown as Window & HostWindow;

async function start(): Promise<void> {
  const root = document.getElementById(ROOT_ELEMENT_ID);
  if (root === null) throw new Error(`The page has no #${ROOT_ELEMENT_ID}`);
  ReactDOM.render(<LoadingPage />, root);
  const config = readConfig() as PageConfig;
  const Control = controlFor(CONTROL_NAME, config);
  const resx = await fetch(RESX_URL).then((response) => response.text());
  const getString = resourceStrings(resx, report);
  const webAPI = formWebApi(config.user);

  const user = await signedInUser(config.user, webAPI);
  const rows = await webAPI.retrieveMultipleRecords(config.entity, '?$select=name');
  const records = rows.entities.map((row) => ({
    id: String(row[`${config.entity}id`]),
    name: String(row.name),
  }));

  hostWindow.formHost = { record: null, rerender: () => undefined, getString, problems };
  const onShown = (record: { entity: string; id: string; name: string }, rerender: () => void) => {
    hostWindow.formHost = { record, rerender, getString, problems };
  };
  ReactDOM.render(
    <FormPage
      config={config}
      Control={Control}
      webAPI={webAPI}
      user={user}
      records={records}
      getString={getString}
      onShown={onShown}
    />,
    root,
  );
}

start().catch((error: unknown) => {
  report(error instanceof Error ? error.message : String(error));
});
