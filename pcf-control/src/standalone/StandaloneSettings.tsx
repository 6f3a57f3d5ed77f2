import * as React from 'react';
import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { SettingsRoot } from '../settings/SettingsRoot';
import { createTranslate } from '../strings/strings';
import { AppShell } from '../ui/AppShell';
import { tokenProvidersOver, xrmPlatform, type XrmApi } from './xrmPlatform';

export interface StandaloneSettingsProps {
  /** The Dynamics page's `Xrm`; null when the web resource was opened outside Dynamics. */
  xrm: XrmApi | null;
  getString: (key: string) => string;
}

const INSTANCE_ID = 'oneflow-sync-settings-web';

/** The settings page as an HTML web resource: the control's React tree over `Xrm` instead of a PCF context. */
export function StandaloneSettings({ xrm, getString }: StandaloneSettingsProps): React.ReactElement {
  const platform = React.useMemo(() => (xrm === null ? null : xrmPlatform(xrm, getString)), [xrm, getString]);
  const tokenProviderFor = React.useMemo(
    () => (platform === null ? null : tokenProvidersOver(platform)),
    [platform],
  );
  if (platform === null || tokenProviderFor === null) {
    const t = createTranslate(getString);
    return (
      <AppShell instanceId={INSTANCE_ID} theme={undefined} t={t}>
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{t('Standalone_NoXrmTitle')}</MessageBarTitle>
            {t('Standalone_NoXrm')}
          </MessageBarBody>
        </MessageBar>
      </AppShell>
    );
  }
  return (
    <SettingsRoot
      platform={platform}
      instanceId={INSTANCE_ID}
      theme={undefined}
      tokenProviderFor={tokenProviderFor}
    />
  );
}
