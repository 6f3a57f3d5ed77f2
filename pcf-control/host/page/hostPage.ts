import type { TokenProvider } from '../../src/auth/TokenProvider';
import type { ControlConstructor } from './ControlSlot';
import { hostTokenProvider } from './hostTokens';
import { CONFIG_ELEMENT_ID, USER_HEADER, type CommonPageConfig } from './pageConfig';

/** What the pages set and read on `window`: the platform's registrations and the hooks for browser tests. */
interface RegistrationWindow {
  formHostControls?: Record<string, ControlConstructor | undefined>;
  OneflowSync?: Record<string, ControlConstructor | undefined>;
}

export const problems: string[] = [];

/** A problem of the host or the control's strings: in the console (browser tests fail on it) and on the page. */
export function report(message: string): void {
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

/** The page's configuration, which the server wrote into the page as JSON (its shape is the server's). */
export function readConfig(): unknown {
  const element = document.getElementById(CONFIG_ELEMENT_ID);
  return JSON.parse(element?.textContent ?? '{}');
}

/**
 * A control as the page runs it: its own MSAL sign-in with `?signin=msal`, the host's tokens otherwise. `name`
 * is the manifest's `namespace.constructor`, under which the bundle registers it.
 */
export function controlFor(name: string, config: CommonPageConfig): ControlConstructor {
  const registrations = window as unknown as RegistrationWindow;
  const constructorName = name.slice(name.indexOf('.') + 1);
  const Registered = registrations.formHostControls?.[name] ?? registrations.OneflowSync?.[constructorName];
  if (Registered === undefined) throw new Error(`The control bundle registered no ${name}`);
  if (config.signIn === 'msal') return Registered;
  return class HostSignedInControl extends Registered {
    protected override createTokenProvider(): TokenProvider {
      return hostTokenProvider(config.user);
    }
  };
}

/** The Dynamics user the page acts as (the session's user in Dynamics): its systemuser id and full name. */
export async function signedInUser(
  user: string,
  webAPI: ComponentFramework.WebApi,
): Promise<{ id: string; name: string }> {
  const whoAmI = await fetch('/api/data/v9.2/WhoAmI', { headers: { [USER_HEADER]: user } });
  if (!whoAmI.ok) throw new Error(`WhoAmI: ${whoAmI.status} ${await whoAmI.text()}`);
  const { UserId } = (await whoAmI.json()) as { UserId: string };
  const systemUser = await webAPI.retrieveRecord('systemuser', UserId, '?$select=fullname');
  return { id: UserId, name: String(systemUser.fullname) };
}
