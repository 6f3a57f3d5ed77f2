/**
 * The one flow every action dialog follows: plan (a dry run) → preview → confirm → apply → done, or failed with
 * the stage that failed so Retry repeats exactly that call. Pure, so every transition is tested without a DOM.
 * Generic over the preview and result answers: Push/Fetch preview a sync plan, Create contract previews its
 * initial transfer.
 */
export type ActionState<Preview, Result> =
  | { phase: 'idle' }
  /** `waitingSeconds`: the contract is busy and the call is tried again after that many seconds. */
  | { phase: 'planning'; waitingSeconds: number | null }
  | { phase: 'previewing'; preview: Preview }
  /** `closable`: applying has taken so long that the person may close the dialog (the run goes on server-side). */
  | { phase: 'applying'; preview: Preview; waitingSeconds: number | null; closable: boolean }
  | { phase: 'done'; preview: Preview; result: Result }
  | { phase: 'failed'; stage: 'plan' | 'apply'; error: unknown; preview: Preview | null };

export type ActionEvent<Preview, Result> =
  | { type: 'plan' }
  | { type: 'busy'; seconds: number }
  | { type: 'planned'; preview: Preview }
  | { type: 'confirm' }
  | { type: 'applied'; result: Result }
  | { type: 'error'; error: unknown }
  | { type: 'applyTakesLong' }
  | { type: 'retry' };

export function actionReducer<Preview, Result>(
  state: ActionState<Preview, Result>,
  event: ActionEvent<Preview, Result>,
): ActionState<Preview, Result> {
  switch (event.type) {
    case 'plan':
      // A new plan (the dialog opened, or Create contract's template changed) is wanted unless a write runs.
      return state.phase === 'applying' ? state : { phase: 'planning', waitingSeconds: null };
    case 'busy':
      if (state.phase === 'planning') return { ...state, waitingSeconds: event.seconds };
      if (state.phase === 'applying') return { ...state, waitingSeconds: event.seconds };
      return state;
    case 'planned':
      return state.phase === 'planning' ? { phase: 'previewing', preview: event.preview } : state;
    case 'confirm':
      return state.phase === 'previewing'
        ? { phase: 'applying', preview: state.preview, waitingSeconds: null, closable: false }
        : state;
    case 'applied':
      return state.phase === 'applying'
        ? { phase: 'done', preview: state.preview, result: event.result }
        : state;
    case 'error':
      if (state.phase === 'planning')
        return { phase: 'failed', stage: 'plan', error: event.error, preview: null };
      if (state.phase === 'applying') {
        return { phase: 'failed', stage: 'apply', error: event.error, preview: state.preview };
      }
      return state;
    case 'applyTakesLong':
      return state.phase === 'applying' ? { ...state, closable: true } : state;
    case 'retry':
      if (state.phase !== 'failed') return state;
      // Applying again needs the preview the person confirmed; without one, plan again.
      return state.stage === 'apply' && state.preview !== null
        ? { phase: 'applying', preview: state.preview, waitingSeconds: null, closable: false }
        : { phase: 'planning', waitingSeconds: null };
  }
}

/** Whether the dialog may be closed now: never while a write runs, unless it has run too long. */
export function canClose(state: ActionState<unknown, unknown>): boolean {
  return state.phase !== 'applying' || state.closable;
}
