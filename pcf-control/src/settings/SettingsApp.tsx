import * as React from 'react';
import {
  makeStyles,
  MessageBar,
  MessageBarBody,
  Spinner,
  Tab,
  TabList,
  Text,
  tokens,
  useId,
} from '@fluentui/react-components';
import { useStrings } from '../strings/strings';
import { ErrorBar } from '../ui/ErrorBar';
import { useServices } from '../ui/Services';
import { SignInBar } from '../ui/SignInBar';
import { ActivityLogTab } from './activity/ActivityLogTab';
import { SyncMappingsTab } from './links/SyncMappingsTab';
import { SetupEntitiesTab } from './setup/SetupEntitiesTab';
import { ADMIN_ROLE, useSignedIn } from './useSignedIn';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalM,
  },
});

type SettingsTab = 'setup' | 'links' | 'activity';
const TABS: readonly SettingsTab[] = ['setup', 'links', 'activity'];
const TAB_KEYS: Record<SettingsTab, string> = {
  setup: 'Tab_Setup',
  links: 'Tab_Links',
  activity: 'Tab_Activity',
};

/** The settings page: sign-in, then Setup entities · Sync mappings · Activity log. */
export function SettingsApp(): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const { tokens: tokenProvider } = useServices();
  const { state, signIn } = useSignedIn(tokenProvider, t);
  const [tab, setTab] = React.useState<SettingsTab>('setup');
  const baseId = useId('oneflow-settings');

  let body: React.ReactNode;
  switch (state.kind) {
    case 'checking':
      body = <Spinner size="small" label={t('Settings_SigningIn')} />;
      break;
    case 'sign_in':
      body = (
        <SignInBar
          problem={state.problem}
          failure={state.failure}
          signingIn={state.signingIn}
          onSignIn={signIn}
        />
      );
      break;
    case 'error':
      body = <ErrorBar error={state.error} onRetry={signIn} />;
      break;
    case 'signed_in': {
      const readOnly = !state.isAdmin;
      body = (
        <>
          {readOnly && (
            <MessageBar intent="info">
              <MessageBarBody>{t('Settings_ReadOnly', ADMIN_ROLE)}</MessageBarBody>
            </MessageBar>
          )}
          <TabList
            selectedValue={tab}
            onTabSelect={(_event, data) => {
              const next = TABS.find((candidate) => candidate === data.value);
              if (next !== undefined) setTab(next);
            }}
          >
            {TABS.map((value) => (
              <Tab
                key={value}
                value={value}
                id={`${baseId}-tab-${value}`}
                aria-controls={`${baseId}-panel-${value}`}
              >
                {t(TAB_KEYS[value])}
              </Tab>
            ))}
          </TabList>
          {/* Every panel stays mounted: switching tabs never loses an admin's unsaved edits. */}
          {TABS.map((value) => (
            <div
              key={value}
              role="tabpanel"
              id={`${baseId}-panel-${value}`}
              aria-labelledby={`${baseId}-tab-${value}`}
              hidden={tab !== value}
            >
              {value === 'setup' && <SetupEntitiesTab readOnly={readOnly} />}
              {value === 'links' && <SyncMappingsTab readOnly={readOnly} />}
              {value === 'activity' && <ActivityLogTab />}
            </div>
          ))}
        </>
      );
      break;
    }
  }
  return (
    <section className={styles.root} aria-labelledby={`${baseId}-heading`}>
      <Text as="h2" size={500} weight="semibold" id={`${baseId}-heading`}>
        {t('Settings_Heading')}
      </Text>
      {body}
    </section>
  );
}
