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
import { AppShell } from '../ui/AppShell';
import { WidgetApp } from './WidgetApp';
import { WidgetServicesContext, type WidgetServices } from './WidgetServices';

export interface WidgetRootProps {
  platform: Platform;
  instanceId: string;
  theme: Theme | undefined;
  /** The sign-in for a configuration; the same provider for the same configuration across renders. */
  tokenProviderFor: (config: SyncConfig) => TokenProvider;
}

/** Reads the configuration (the environment variables over the form's inputs), then shows the widget. */
function ConfiguredWidget({ platform, tokenProviderFor }: Omit<WidgetRootProps, 'instanceId' | 'theme'>) {
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
  const services = React.useMemo<WidgetServices | null>(
    () => (api === null ? null : { platform, ...api }),
    [api, platform],
  );

  if (config === null) return <Spinner size="small" label={t('Widget_Loading')} />;
  if (!config.ok) {
    return (
      <MessageBar intent="error">
        <MessageBarBody>{t('Config_Missing', config.missing.join(', '))}</MessageBarBody>
      </MessageBar>
    );
  }
  return (
    <WidgetServicesContext.Provider value={services}>
      <WidgetApp />
    </WidgetServicesContext.Provider>
  );
}

export function WidgetRoot({
  platform,
  instanceId,
  theme,
  tokenProviderFor,
}: WidgetRootProps): React.ReactElement {
  const t = React.useMemo(() => createTranslate((key) => platform.getString(key)), [platform]);
  return (
    <AppShell instanceId={instanceId} theme={theme} t={t}>
      <ConfiguredWidget platform={platform} tokenProviderFor={tokenProviderFor} />
    </AppShell>
  );
}
