import { SignInRequiredError } from '../auth/TokenProvider';
import { strictGetString } from '../strings/resx';
import { createTranslate } from '../strings/strings';
import { WIDGET_STRINGS } from '../testing/fakePlatform';
import { apiError } from '../testing/fakeClient';
import { API_ERROR_CODES } from './contract';
import { ERROR_STRING_KEYS, describeError } from './errors';

const t = createTranslate(strictGetString(WIDGET_STRINGS));

describe('an error in words', () => {
  it('has a string of its own for every code the API and the client can give', () => {
    const codes = [...API_ERROR_CODES, 'network', 'unreadable_answer'] as const;
    expect(Object.keys(ERROR_STRING_KEYS).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const view = describeError(apiError(500, code), t);
      expect(view.text).toBe(WIDGET_STRINGS.get(ERROR_STRING_KEYS[code]));
      expect(view.text.length).toBeGreaterThan(10);
    }
  });

  it('keeps the request id and the server wait, and says whether trying again may help', () => {
    const busy = describeError(
      apiError(409, 'contract_busy', { requestId: 'req-42', retryAfterSeconds: 7 }),
      t,
    );
    expect(busy).toMatchObject({
      intent: 'warning',
      requestId: 'req-42',
      retryAfterSeconds: 7,
      retryable: true,
    });
    const forbidden = describeError(apiError(403, 'dynamics_forbidden'), t);
    expect(forbidden).toMatchObject({
      intent: 'error',
      retryable: false,
      text: "Dynamics refused: you don't have permission to change these product lines.",
    });
    expect(describeError(apiError(0, 'network'), t)).toMatchObject({
      code: 'network',
      retryable: true,
      details: [],
      text: "Can't reach Oneflow product sync. Check your connection or ask your admin whether the service is running.",
    });
  });

  it('words a sign-in problem, the blocked pop-up apart', () => {
    expect(describeError(new SignInRequiredError('popup_blocked', 'popup_window_error'), t).text).toBe(
      'Your browser blocked the sign-in window. Allow pop-ups for this site and try again.',
    );
    expect(describeError(new SignInRequiredError('interaction_required', 'x'), t).text).toBe(
      'Sign in to use Oneflow product sync.',
    );
  });
});
