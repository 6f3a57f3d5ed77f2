import * as React from 'react';
import type { TokenProvider } from '../auth/TokenProvider';
import { strictGetString } from '../strings/resx';
import { createTranslate } from '../strings/strings';
import { AppShell } from '../ui/AppShell';
import { ServicesContext, type Services, type SyncApi } from '../ui/Services';
import { SETTINGS_STRINGS, fakePlatform } from './fakePlatform';

/** Signed in already: component tests of the settings page never reach the sign-in. */
const TOKENS: TokenProvider = {
  getToken: () => Promise.resolve('token'),
  signIn: () => Promise.resolve(),
  account: () => null,
};

/**
 * A settings page component as the control's root renders it: inside the app shell, with the page's real strings
 * (a key missing from the resx throws) and the given API client. The services stay the same object while the
 * client does, as the root memoizes them; the translate function is new on every render, as it may be on each
 * update from the host, so a component must not refetch when only it changes.
 */
export function SettingsShell({ client, children }: { client: SyncApi; children: React.ReactNode }) {
  const services = React.useMemo<Services>(
    () => ({
      platform: fakePlatform({ getString: strictGetString(SETTINGS_STRINGS) }),
      client,
      tokens: TOKENS,
      config: {
        apiBaseUrl: 'https://sync.example.test',
        clientId: 'c',
        tenantId: 't',
        apiScope: 's',
        authority: 'https://login.example.test/t',
      },
    }),
    [client],
  );
  const t = createTranslate((key) => services.platform.getString(key));
  return (
    <AppShell instanceId="test" theme={undefined} t={t}>
      <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>
    </AppShell>
  );
}
