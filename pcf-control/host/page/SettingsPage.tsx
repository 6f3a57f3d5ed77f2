import * as React from 'react';
import {
  FluentProvider,
  Link,
  makeStyles,
  Title2,
  tokens,
  webDarkTheme,
  webLightTheme,
} from '@fluentui/react-components';
import { ControlSlot, type ControlConstructor } from './ControlSlot';
import type { SettingsPageConfig } from './pageConfig';

const useStyles = makeStyles({
  page: {
    minHeight: '100vh',
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
  },
  nav: {
    display: 'flex',
    columnGap: tokens.spacingHorizontalL,
    paddingTop: tokens.spacingVerticalS,
    paddingBottom: tokens.spacingVerticalS,
    paddingLeft: tokens.spacingHorizontalXXL,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  main: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalL,
    paddingTop: tokens.spacingVerticalL,
    paddingBottom: tokens.spacingVerticalXXL,
    paddingLeft: tokens.spacingHorizontalXXL,
    paddingRight: tokens.spacingHorizontalXXL,
    maxWidth: '1400px',
  },
  card: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    paddingTop: tokens.spacingVerticalM,
    paddingBottom: tokens.spacingVerticalM,
    paddingLeft: tokens.spacingHorizontalL,
    paddingRight: tokens.spacingHorizontalL,
  },
});

export interface SettingsPageProps {
  config: SettingsPageConfig;
  Control: ControlConstructor;
  webAPI: ComponentFramework.WebApi;
  user: { id: string; name: string };
  getString: (key: string) => string;
}

/** A page of the app with the SyncSettings control on it, as an admin adds it to a custom page or a form. */
export function SettingsPage({ config, Control, webAPI, user, getString }: SettingsPageProps) {
  const styles = useStyles();
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
    <FluentProvider theme={config.theme === 'dark' ? webDarkTheme : webLightTheme} className={styles.page}>
      <nav aria-label="Pages" className={styles.nav}>
        <Link href="/">All pages</Link>
        <Link href="/forms/opportunity">Opportunity form</Link>
        <Link href="/forms/quote">Quote form</Link>
        <Link href="/settings/web-resource">Settings as a web resource</Link>
      </nav>
      <main className={styles.main}>
        <Title2 as="h1">Oneflow product sync administration</Title2>
        <section aria-label="Settings" className={styles.card}>
          <ControlSlot Control={Control} source={source} refresh={0} />
        </section>
      </main>
    </FluentProvider>
  );
}
