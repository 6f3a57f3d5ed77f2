import * as React from 'react';
import { ApiError, type SyncApiClient } from '../api/SyncApiClient';
import { describeError } from '../api/errors';
import { withBusyRetry, type Sleep } from '../api/retry';
import { SignInRequiredError } from '../auth/TokenProvider';
import type { Translate } from '../strings/strings';
import type { WidgetState } from './widgetState';

/** The client calls a load makes: the widget's fake in tests implements just these. */
export type LoadClient = Pick<SyncApiClient, 'contract' | 'compare'>;

interface LoadInput {
  client: LoadClient;
  entity: string;
  recordId: string | null;
  t: Translate;
  /** The contract is busy: the load waits this many seconds, then tries once more. */
  onWaiting: (seconds: number) => void;
  sleep?: Sleep;
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof ApiError && error.code === code;
}

/** A failed call as the state that words it: sign-in, set-up and deletion have their own. */
function failure(error: unknown, t: Translate): WidgetState {
  if (error instanceof SignInRequiredError) {
    return { kind: 'sign_in', problem: error.problem, message: error.message };
  }
  if (hasCode(error, 'not_configured')) return { kind: 'not_configured' };
  return { kind: 'error', error: describeError(error, t) };
}

/**
 * One load of the widget: the record's contract, then what differs between Dynamics and Oneflow. A record
 * without an id (a create form) asks nothing; a contract deleted in Oneflow is not compared (it can only be
 * unlinked).
 */
async function loadWidget(input: LoadInput): Promise<WidgetState> {
  const { client, entity, recordId, t, onWaiting, sleep } = input;
  if (recordId === null) return { kind: 'not_saved' };
  let contract;
  try {
    contract = await withBusyRetry(() => client.contract(entity, recordId), onWaiting, sleep);
  } catch (error) {
    if (hasCode(error, 'not_found')) return { kind: 'no_contract' };
    return failure(error, t);
  }
  const contractId = contract.contract.contractId;
  if (contract.status === 'deleted_in_oneflow') {
    return { kind: 'deleted', contractId, contract, message: contract.message };
  }
  try {
    const compare = await withBusyRetry(() => client.compare(contractId), onWaiting, sleep);
    return { kind: 'ready', contract, compare };
  } catch (error) {
    if (hasCode(error, 'contract_deleted')) {
      return { kind: 'deleted', contractId, contract, message: null };
    }
    return failure(error, t);
  }
}

export interface WidgetData {
  /** The last load's state; null before the first load of this record ends. */
  state: WidgetState | null;
  loading: boolean;
  /** Seconds the load waits for a busy contract before its one more try; null when not waiting. */
  waitingSeconds: number | null;
  reload: () => void;
}

/**
 * Loads on mount, when the record changes (its id appears after the first save) and on `reload`. An answer that
 * arrives after a newer load started, or after the record changed, is dropped.
 */
export function useWidgetData(
  client: LoadClient,
  entity: string,
  recordId: string | null,
  t: Translate,
  sleep?: Sleep,
): WidgetData {
  const [state, setState] = React.useState<WidgetState | null>(null);
  const [loading, setLoading] = React.useState(true);
  const [waitingSeconds, setWaitingSeconds] = React.useState<number | null>(null);
  const [generation, setGeneration] = React.useState(0);
  const latest = React.useRef(0);
  const recordKey = `${entity}|${recordId ?? ''}`;
  const shownRecord = React.useRef(recordKey);

  React.useEffect(() => {
    const load = latest.current + 1;
    latest.current = load;
    if (shownRecord.current !== recordKey) {
      shownRecord.current = recordKey;
      setState(null);
    }
    setLoading(true);
    setWaitingSeconds(null);
    const current = (): boolean => latest.current === load;
    void loadWidget({
      client,
      entity,
      recordId,
      t,
      sleep,
      onWaiting: (seconds) => {
        if (current()) setWaitingSeconds(seconds);
      },
    })
      .catch((error: unknown): WidgetState => ({ kind: 'error', error: describeError(error, t) }))
      .then((next) => {
        if (!current()) return;
        setState(next);
        setLoading(false);
        setWaitingSeconds(null);
      });
    return () => {
      // A load still running for this record or generation is stale from here on.
      if (latest.current === load) latest.current = load + 1;
    };
    // The strings change identity with every host render (a new platform); the record and Refresh decide a load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [recordKey, generation]);

  const reload = React.useCallback(() => {
    setGeneration((value) => value + 1);
  }, []);
  return { state, loading, waitingSeconds, reload };
}
