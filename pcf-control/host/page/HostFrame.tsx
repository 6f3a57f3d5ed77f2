import * as React from 'react';
import {
  FluentProvider,
  Link,
  makeStyles,
  mergeClasses,
  tokens,
  webDarkTheme,
  webLightTheme,
} from '@fluentui/react-components';

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
  },
  // A form is as wide as a Dynamics main form's section; the settings page needs room for its tables.
  form: { maxWidth: '1100px' },
  wide: { maxWidth: '1400px' },
  card: {
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    paddingTop: tokens.spacingVerticalM,
    paddingBottom: tokens.spacingVerticalM,
    paddingLeft: tokens.spacingHorizontalL,
    paddingRight: tokens.spacingHorizontalL,
  },
});

export interface HostFrameProps {
  theme: 'light' | 'dark';
  navLabel: string;
  links: ReadonlyArray<{ href: string; label: string }>;
  width: 'form' | 'wide';
  children: React.ReactNode;
}

/** The app's chrome around a host page: its theme, the links to the other pages and the main column. */
export function HostFrame({ theme, navLabel, links, width, children }: HostFrameProps) {
  const styles = useStyles();
  return (
    <FluentProvider theme={theme === 'dark' ? webDarkTheme : webLightTheme} className={styles.page}>
      <nav aria-label={navLabel} className={styles.nav}>
        {links.map((link) => (
          <Link key={link.href} href={link.href}>
            {link.label}
          </Link>
        ))}
      </nav>
      <main className={mergeClasses(styles.main, styles[width])}>{children}</main>
    </FluentProvider>
  );
}

/** The class of a card on a host page: a control's section or the grid beside it. */
export function useCardClass(): string {
  return useStyles().card;
}
