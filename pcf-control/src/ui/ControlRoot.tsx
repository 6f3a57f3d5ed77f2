import * as React from 'react';
import { MessageBar, MessageBarBody, Spinner, type Theme } from '@fluentui/react-components';
import { SyncApiClient } from '../api/SyncApiClient';
import type { TokenProvider } from '../auth/TokenProvider';
import type { Platform } from '../platform/Platform';
import {
  readEnvironmentVariables,
  resolveConfig,
  type ConfigResult,
  type SyncConfig,
} from '../platform/config';
import { createTranslate, useStrings } from '../strings/strings';
import { AppShell } from './AppShell';
import { ServicesContext, type Services } from './Services';

export interface ControlRootProps {
  platform: Platform;
  instanceId: string;
  theme: Theme | undefined;
  /** The sign-in for a configuration; the same provider for the same configuration across renders. */
  tokenProviderFor: (config: SyncConfig) => TokenProvider;
}

/** Reads the configuration (the environment variables over the control's inputs), then provides the services. */
function Configured({
  platform,
  tokenProviderFor,
  children,
}: Omit<ControlRootProps, 'instanceId' | 'theme'> & { children: React.ReactNode }) {
  const t = useStrings();
  const [config, setConfig] = React.useState<ConfigResult | null>(null);
  const { inputs } = platform;
  const inputsKey = JSON.stringify(inputs);
  React.useEffect(() => {
    let current = true;
    void readEnvironmentVariables(platform).then((overrides) => {
      if (current) setConfig(resolveConfig(inputs, overrides));
    });
    return () => {
      current = false;
    };
    // The inputs' values, not the platform object (a new one each updateView), decide when to read again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [inputsKey]);

  // The client outlives updateViews (each brings a new platform object): dialogs run their plan and write in
  // effects keyed on the client, so a new one on a resize or a form refresh would send them again.
  const api = React.useMemo(() => {
    if (config === null || !config.ok) return null;
    const tokens = tokenProviderFor(config.config);
    return { config: config.config, tokens, client: new SyncApiClient(config.config.apiBaseUrl, tokens) };
  }, [config, tokenProviderFor]);
  const services = React.useMemo<Services | null>(
    () => (api === null ? null : { platform, ...api }),
    [api, platform],
  );

  if (config === null) return <Spinner size="small" label={t('Control_Loading')} />;
  if (!config.ok) {
    return (
      <MessageBar intent="error">
        <MessageBarBody>{t('Config_Missing', config.missing.join(', '))}</MessageBarBody>
      </MessageBar>
    );
  }
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

/** The root of a control: its provider tree, its configuration and its services around the control's app. */
export function ControlRoot({
  platform,
  instanceId,
  theme,
  tokenProviderFor,
  children,
}: ControlRootProps & { children: React.ReactNode }): React.ReactElement {
  // Each updateView (a resize, a form refresh) brings a new platform object with the same strings: `t` keeps its
  // identity, so effects that word their answers with it (the settings page's loads) do not run again and drop
  // what the admin was editing.
  const { languageId } = platform.user;
  const t = React.useMemo(
    () => createTranslate((key) => platform.getString(key)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [languageId],
  );
  return (
    <AppShell instanceId={instanceId} theme={theme} t={t}>
      <Configured platform={platform} tokenProviderFor={tokenProviderFor}>
        {children}
      </Configured>
    </AppShell>
  );
}
