import * as React from 'react';
import { Title2, webDarkTheme } from '@fluentui/react-components';
import { ControlSlot, type ControlConstructor } from './ControlSlot';
import { HostFrame, useCardClass } from './HostFrame';
import type { SettingsPageConfig } from './pageConfig';

export interface SettingsPageProps {
  config: SettingsPageConfig;
  Control: ControlConstructor;
  webAPI: ComponentFramework.WebApi;
  user: { id: string; name: string };
  getString: (key: string) => string;
}

const SETTINGS_LINKS = [
  { href: '/', label: 'All pages' },
  { href: '/forms/opportunity', label: 'Opportunity form' },
  { href: '/forms/quote', label: 'Quote form' },
  { href: '/settings/web-resource', label: 'Settings as a web resource' },
];

/** A page of the app with the SyncSettings control on it, as an admin adds it to a custom page or a form. */
export function SettingsPage({ config, Control, webAPI, user, getString }: SettingsPageProps) {
  const cardClass = useCardClass();
  const source = React.useMemo(
    () => ({
      inputs: config.inputs,
      readOnly: false,
      record: null,
      label: 'Oneflow product sync settings',
      user,
      webAPI,
      getString,
      tokenTheme: config.theme === 'dark' ? webDarkTheme : null,
    }),
    [config, user, webAPI, getString],
  );
  return (
    <HostFrame theme={config.theme} navLabel="Pages" links={SETTINGS_LINKS} width="wide">
      <Title2 as="h1">Oneflow product sync administration</Title2>
      <section aria-label="Settings" className={cardClass}>
        <ControlSlot Control={Control} source={source} refresh={0} />
      </section>
    </HostFrame>
  );
}
