import * as React from 'react';
import {
  FluentProvider,
  IdPrefixProvider,
  makeStyles,
  tokens,
  webLightTheme,
  type Theme,
} from '@fluentui/react-components';
import { StringsContext, type Translate } from '../strings/strings';

const useStyles = makeStyles({
  root: {
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
    fontFamily: tokens.fontFamilyBase,
  },
});

export interface AppShellProps {
  /** Unique per control instance on the page: Fluent's generated ids must never collide between two widgets. */
  instanceId: string;
  /** The platform's theme when the host gives one (`context.fluentDesignLanguage.tokenTheme`). */
  theme: Theme | undefined;
  t: Translate;
  children: React.ReactNode;
}

/**
 * The one provider tree of a control: its id prefix, its theme (which portals such as dialogs and tooltips
 * inherit, as they render inside this provider) and its strings.
 */
export function AppShell({ instanceId, theme, t, children }: AppShellProps): React.ReactElement {
  const styles = useStyles();
  return (
    <IdPrefixProvider value={`${instanceId}-`}>
      <FluentProvider theme={theme ?? webLightTheme} className={styles.root}>
        <StringsContext.Provider value={t}>{children}</StringsContext.Provider>
      </FluentProvider>
    </IdPrefixProvider>
  );
}
