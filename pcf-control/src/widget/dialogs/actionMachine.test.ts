import { actionReducer, canClose, type ActionEvent, type ActionState } from './actionMachine';

type State = ActionState<string, number>;
type Event = ActionEvent<string, number>;
const step = (state: State, ...events: Event[]): State => events.reduce(actionReducer<string, number>, state);

const idle: State = { phase: 'idle' };
const planning: State = { phase: 'planning', waitingSeconds: null };
const previewing: State = { phase: 'previewing', preview: 'plan' };
const applying: State = { phase: 'applying', preview: 'plan', waitingSeconds: null, closable: false };
const boom = new Error('boom');

describe('the action state machine', () => {
  it('plans when opened, previews the plan, applies on confirm and ends with the result', () => {
    expect(step(idle, { type: 'plan' })).toEqual(planning);
    expect(step(planning, { type: 'planned', preview: 'plan' })).toEqual(previewing);
    expect(step(previewing, { type: 'confirm' })).toEqual(applying);
    expect(step(applying, { type: 'applied', result: 3 })).toEqual({
      phase: 'done',
      preview: 'plan',
      result: 3,
    });
  });

  it('says how long it waits when the contract is busy, while planning and while applying', () => {
    expect(step(planning, { type: 'busy', seconds: 5 })).toEqual({ phase: 'planning', waitingSeconds: 5 });
    expect(step(applying, { type: 'busy', seconds: 7 })).toEqual({ ...applying, waitingSeconds: 7 });
    expect(step(previewing, { type: 'busy', seconds: 5 })).toBe(previewing);
  });

  it('keeps the stage that failed, and Retry repeats exactly that call', () => {
    const planFailed = step(planning, { type: 'error', error: boom });
    expect(planFailed).toEqual({ phase: 'failed', stage: 'plan', error: boom, preview: null });
    expect(step(planFailed, { type: 'retry' })).toEqual(planning);

    const applyFailed = step(applying, { type: 'error', error: boom });
    expect(applyFailed).toEqual({ phase: 'failed', stage: 'apply', error: boom, preview: 'plan' });
    expect(step(applyFailed, { type: 'retry' })).toEqual(applying);
  });

  it('ignores answers that arrive in another phase (a stale plan, a second result)', () => {
    expect(step(previewing, { type: 'planned', preview: 'other' })).toBe(previewing);
    expect(step(previewing, { type: 'applied', result: 1 })).toBe(previewing);
    expect(step(planning, { type: 'confirm' })).toBe(planning);
    expect(step(previewing, { type: 'error', error: boom })).toBe(previewing);
    expect(step(previewing, { type: 'retry' })).toBe(previewing);
  });

  it('plans again on request (another template) but never while a write runs', () => {
    expect(step(previewing, { type: 'plan' })).toEqual(planning);
    expect(step(applying, { type: 'plan' })).toBe(applying);
  });

  it('holds the dialog open while applying, until the write has run too long', () => {
    expect(canClose(applying)).toBe(false);
    const long = step(applying, { type: 'applyTakesLong' });
    expect(canClose(long)).toBe(true);
    for (const state of [idle, planning, previewing, step(applying, { type: 'applied', result: 1 })]) {
      expect(canClose(state)).toBe(true);
    }
    expect(step(previewing, { type: 'applyTakesLong' })).toBe(previewing);
  });
});
