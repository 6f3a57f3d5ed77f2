import { useServer } from '../common/testSupport';
import { startIdentitySimulator, type RunningIdentitySimulator } from './index';
import { requestTrusting } from './tlsClient';

/** Helpers for the identity simulator's tests. */

export interface IdentityTestOptions {
  /** Resets the simulator to its seeded fixture (and clears its controls) before each test. */
  resetBeforeEach?: boolean;
}

/** An identity simulator for the tests of the enclosing block: started before, closed after (useServer). */
export function useIdentitySimulator({
  resetBeforeEach = false,
}: IdentityTestOptions = {}): RunningIdentitySimulator {
  const identity = useServer(
    () => startIdentitySimulator({ port: 0 }),
    (started) => started.close(),
  );
  if (resetBeforeEach) {
    beforeEach(async () => {
      await requestTrusting(identity.certificatePem, `${identity.url}/_sim/reset`, { method: 'POST' });
    });
  }
  return identity;
}
