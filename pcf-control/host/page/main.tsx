import * as React from 'react';
import * as ReactDOM from 'react-dom';
import type { TokenProvider } from '../../src/auth/TokenProvider';
import type { WidgetConstructor } from './ControlSlot';
import { FormPage, LoadingPage } from './FormPage';
import { hostTokenProvider } from './hostTokens';
import { CONFIG_ELEMENT_ID, ROOT_ELEMENT_ID, USER_HEADER, type PageConfig } from './pageConfig';
import { resourceStrings } from './resources';
import { formWebApi } from './webApi';

const CONTROL_NAME = 'OneflowSync.ProductSyncWidget';
const RESX_URL = '/controls/ProductSyncWidget/strings/ProductSyncWidget.1033.resx';

/** What the page sets and reads on `window`: the platform's registrations and the hooks for browser tests. */
interface HostWindow {
  formHostControls?: Record<string, WidgetConstructor | undefined>;
  OneflowSync?: { ProductSyncWidget?: WidgetConstructor };
  formHost?: {
    record: { entity: string; id: string; name: string } | null;
    rerender(): void;
    getString(key: string): string;
    problems: string[];
  };
}
const hostWindow = window as unknown as Window & HostWindow;

const problems: string[] = [];

/** A problem of the host or the control's strings: in the console (browser tests fail on it) and on the page. */
function report(message: string): void {
  problems.push(message);
  console.error(`[form host] ${message}`);
  let banner = document.getElementById('form-host-problems');
  if (banner === null) {
    banner = document.createElement('div');
    banner.id = 'form-host-problems';
    banner.setAttribute('role', 'alert');
    banner.style.cssText =
      'background:#fde7e9;color:#8a0000;padding:8px 16px;font-family:system-ui,sans-serif';
    document.body.prepend(banner);
  }
  const line = document.createElement('p');
  line.textContent = message;
  banner.append(line);
}

function readConfig(): PageConfig {
  const element = document.getElementById(CONFIG_ELEMENT_ID);
  return JSON.parse(element?.textContent ?? '{}') as PageConfig;
}

/** The control as the page runs it: its own MSAL sign-in with `?signin=msal`, the host's tokens otherwise. */
function controlFor(config: PageConfig): WidgetConstructor {
  const Registered = hostWindow.formHostControls?.[CONTROL_NAME] ?? hostWindow.OneflowSync?.ProductSyncWidget;
  if (Registered === undefined) throw new Error(`The control bundle registered no ${CONTROL_NAME}`);
  if (config.signIn === 'msal') return Registered;
  return class HostSignedInWidget extends Registered {
    protected override createTokenProvider(): TokenProvider {
      return hostTokenProvider(config.user);
    }
  };
}

async function start(): Promise<void> {
  const root = document.getElementById(ROOT_ELEMENT_ID);
  if (root === null) throw new Error(`The page has no #${ROOT_ELEMENT_ID}`);
  ReactDOM.render(<LoadingPage />, root);
  const config = readConfig();
  const Control = controlFor(config);
  const resx = await fetch(RESX_URL).then((response) => response.text());
  const getString = resourceStrings(resx, report);
  const webAPI = formWebApi(config.user);

  const whoAmI = await fetch('/api/data/v9.2/WhoAmI', { headers: { [USER_HEADER]: config.user } });
  if (!whoAmI.ok) throw new Error(`WhoAmI: ${whoAmI.status} ${await whoAmI.text()}`);
  const { UserId } = (await whoAmI.json()) as { UserId: string };
  const systemUser = await webAPI.retrieveRecord('systemuser', UserId, '?$select=fullname');
  const user = { id: UserId, name: String(systemUser.fullname) };
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
