import * as React from 'react';
import {
  Label,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Title2,
  tokens,
  webDarkTheme,
} from '@fluentui/react-components';
import { ControlSlot, type ControlConstructor } from './ControlSlot';
import { HostFrame, useCardClass } from './HostFrame';
import type { PageConfig } from './pageConfig';
import { ProductLinesGrid } from './ProductLinesGrid';

const useStyles = makeStyles({
  picker: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalS },
});

interface FormRecord {
  id: string;
  name: string;
}

export interface FormPageProps {
  config: PageConfig;
  Control: ControlConstructor;
  webAPI: ComponentFramework.WebApi;
  user: { id: string; name: string };
  records: FormRecord[];
  getString: (key: string) => string;
  /** The page tells the test hooks which record it shows and how to re-render the control. */
  onShown: (record: FormRecord & { entity: PageConfig['entity'] }, rerender: () => void) => void;
}

const FORM_LINKS = [
  { href: '/', label: 'All forms' },
  { href: '/forms/opportunity', label: 'Opportunity form' },
  { href: '/forms/quote', label: 'Quote form' },
];

const TITLES = { opportunity: 'Opportunity', quote: 'Quote' } as const;

/** A Dynamics main form, reduced to what the widget needs around it: the record, its section, its lines. */
export function FormPage({ config, Control, webAPI, user, records, getString, onShown }: FormPageProps) {
  const styles = useStyles();
  const cardClass = useCardClass();
  const [recordId, setRecordId] = React.useState(() => config.recordId ?? records[0]?.id ?? null);
  const [refresh, setRefresh] = React.useState(0);
  const record = records.find((candidate) => candidate.id === recordId) ?? null;
  const rerender = React.useCallback(() => {
    setRefresh((count) => count + 1);
  }, []);

  React.useEffect(() => {
    if (record !== null) onShown({ ...record, entity: config.entity }, rerender);
  }, [record, config.entity, onShown, rerender]);

  const pick = (id: string) => {
    const url = new URL(window.location.href);
    url.searchParams.set('id', id);
    window.history.replaceState(null, '', url.toString());
    setRecordId(id);
  };

  const source = React.useMemo(
    () =>
      record === null
        ? null
        : {
            inputs: config.inputs,
            readOnly: config.readOnly,
            record: { ...record, entity: config.entity },
            label: 'Oneflow contract',
            user,
            webAPI,
            getString,
            tokenTheme: config.theme === 'dark' ? webDarkTheme : null,
          },
    [config, record, user, webAPI, getString],
  );

  return (
    <HostFrame theme={config.theme} navLabel="Forms" links={FORM_LINKS} width="form">
      <Title2 as="h1">{record === null ? `No ${TITLES[config.entity]} found` : record.name}</Title2>
      <div className={styles.picker}>
        <Label htmlFor="record-picker">{TITLES[config.entity]}</Label>
        <Select
          id="record-picker"
          value={recordId ?? ''}
          onChange={(_event, data) => {
            pick(data.value);
          }}
        >
          {records.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name}
            </option>
          ))}
        </Select>
      </div>
      {config.recordId !== null && record === null && (
        <MessageBar intent="error">
          <MessageBarBody>{`id: no ${config.entity} has the id ${config.recordId}`}</MessageBarBody>
        </MessageBar>
      )}
      {source !== null && record !== null && (
        <>
          <section aria-label="Oneflow" className={cardClass}>
            <ControlSlot Control={Control} source={source} refresh={refresh} />
          </section>
          <div className={cardClass}>
            <ProductLinesGrid
              entity={config.entity}
              recordId={record.id}
              webAPI={webAPI}
              readOnly={config.readOnly}
              onSaved={rerender}
            />
          </div>
        </>
      )}
    </HostFrame>
  );
}

export function LoadingPage() {
  return <Spinner label="Loading the form" />;
}
