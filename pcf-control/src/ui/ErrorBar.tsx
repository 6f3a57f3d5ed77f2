import * as React from 'react';
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { ErrorView } from '../api/errors';
import { useStrings } from '../strings/strings';

const useStyles = makeStyles({
  details: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: 'break-all' },
});

export interface ErrorBarProps {
  error: ErrorView;
  /** Shown as a Retry action when given (and the error is one that may pass). */
  onRetry?: () => void;
}

/**
 * An error in words, with what support needs (the service's message, the request id) behind "Details for
 * support", and the request id copyable.
 */
export function ErrorBar({ error, onRetry }: ErrorBarProps): React.ReactElement {
  const t = useStrings();
  const styles = useStyles();
  const [copied, setCopied] = React.useState(false);
  const copy = (): void => {
    if (error.requestId === null) return;
    void navigator.clipboard.writeText(error.requestId).then(
      () => {
        setCopied(true);
      },
      () => {
        setCopied(false);
      },
    );
  };
  const hasDetails = error.details.length > 0 || error.requestId !== null;
  return (
    <MessageBar intent={error.intent} layout="multiline" politeness="assertive">
      <MessageBarBody>
        <Text block>{error.text}</Text>
        {hasDetails && (
          <Accordion collapsible>
            <AccordionItem value="details">
              <AccordionHeader size="small">{t('Error_DetailsForSupport')}</AccordionHeader>
              <AccordionPanel className={styles.details}>
                {error.details.map((detail) => (
                  <Text key={detail} className={styles.code}>
                    {detail}
                  </Text>
                ))}
                {error.requestId !== null && (
                  <Text className={styles.code}>{t('Error_RequestId', error.requestId, error.code)}</Text>
                )}
              </AccordionPanel>
            </AccordionItem>
          </Accordion>
        )}
      </MessageBarBody>
      <MessageBarActions>
        {error.requestId !== null && (
          <Button size="small" onClick={copy}>
            {copied ? t('Error_RequestIdCopied') : t('Error_CopyRequestId')}
          </Button>
        )}
        {onRetry !== undefined && error.retryable && (
          <Button size="small" onClick={onRetry}>
            {t('Action_Retry')}
          </Button>
        )}
      </MessageBarActions>
    </MessageBar>
  );
}
