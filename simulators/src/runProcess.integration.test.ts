import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { seededEntities } from './identity/seededEntities';
import { postFormTrusting } from './identity/tlsClient';

const REPO = join(__dirname, '..', '..');
const seeded = seededEntities();

interface Runner {
  child: ChildProcessWithoutNullStreams;
  identityUrl: string;
  certificateFile: string;
}

/** `npm run sim`'s entry as its own process, on ports the OS picks, with the given temp folder. */
function startRunner(temp: string): Promise<Runner> {
  const child = spawn(process.execPath, ['--import', 'tsx', join('simulators', 'src', 'run.ts')], {
    cwd: REPO,
    env: {
      ...process.env,
      SIM_DATAVERSE_PORT: '0',
      SIM_ONEFLOW_PORT: '0',
      SIM_IDENTITY_PORT: '0',
      SIM_STATE_DIR: '',
      TMPDIR: temp,
    },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the simulators did not start in 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Identity provider\s+(https:\/\/127\.0\.0\.1:\d+)\S* .*TLS certificate (\S+?)\)/.exec(
        output,
      );
      if (match?.[1] && match[2]) {
        clearTimeout(timer);
        resolve({ child, identityUrl: match[1], certificateFile: match[2] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulators exited (${code}) before starting:\n${output}`));
    });
  });
}

function stopRunner(runner: Runner): Promise<void> {
  return new Promise((resolve) => {
    if (runner.child.exitCode !== null || runner.child.signalCode !== null) {
      resolve();
      return;
    }
    runner.child.once('exit', () => {
      resolve();
    });
    runner.child.kill('SIGTERM');
  });
}

const TokenAnswerSchema = z.object({ access_token: z.string().min(1) });

let temp: string;
const runners: Runner[] = [];

beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'oneflow-sync-two-stacks-'));
});

afterAll(async () => {
  await Promise.all(runners.map(stopRunner));
  rmSync(temp, { recursive: true, force: true });
});

describe('two simulator runners on one machine (integration)', () => {
  it('each keeps a certificate of its own: a client trusting the file each one printed gets a token from each', async () => {
    // One temp folder for both, as two checkouts (or a test run beside `npm start`) of one user share it.
    const started = await Promise.allSettled([startRunner(temp), startRunner(temp)]);
    // Whichever started is stopped after the test, even when the other did not.
    for (const result of started) if (result.status === 'fulfilled') runners.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const [first, second] = runners;
    if (!first || !second) throw new Error('two runners expected');
    expect(first.certificateFile).not.toBe(second.certificateFile);
    for (const runner of runners) {
      const answer = await postFormTrusting(
        readFileSync(runner.certificateFile, 'utf8'),
        `${runner.identityUrl}/${seeded.homeTenantId}/oauth2/v2.0/token`,
        {
          grant_type: 'client_credentials',
          client_id: seeded.backend.clientId,
          client_secret: seeded.backendSecret,
          scope: 'https://contoso.crm4.dynamics.com/.default',
        },
      );
      expect(answer.status).toBe(200);
      expect(TokenAnswerSchema.parse(answer.json).access_token).toMatch(/^ey/);
    }
    // A stopped runner takes its certificate with it and leaves the other's alone.
    await stopRunner(first);
    expect(existsSync(first.certificateFile)).toBe(false);
    expect(existsSync(second.certificateFile)).toBe(true);
  }, 60_000);
});
