import { z } from 'zod';
import {
  generateClientCertificate,
  type CertificateAndKey,
} from '@oneflow-sync/simulators/src/identity/certificate';
import { seededEntities } from '@oneflow-sync/simulators/src/identity/seededEntities';
import { postJsonTrusting, requestTrusting } from '@oneflow-sync/simulators/src/identity/tlsClient';
import { startStack, type ApiAnswer, type Stack } from '../testing/stack';
import { expectError } from './securitySupport';

/**
 * The whole backend (the local runner, the simulators and Azurite as their own processes) with a backend
 * credential other than the secret: the settings go through loadConfig and services.ts as in Azure, and the
 * metadata route reads Dataverse as the application with the token that credential gets.
 */

jest.setTimeout(60_000);

const seeded = seededEntities();
const TOKEN_ROUTE = 'POST /:tenant/oauth2/v2.0/token';
const SOURCES = 'metadata/product-sources?entity=opportunity';

/** The identity simulator process's control endpoint, over TLS trusting its certificate. */
async function identityControl(stack: Stack, path: string, body?: unknown) {
  const url = `${stack.simulators.identityUrl}/_sim/${path}`;
  const pem = stack.simulators.identityCertificatePem;
  return body === undefined ? requestTrusting(pem, url) : postJsonTrusting(pem, url, body);
}

/** The backend app registration without its secret, holding these credentials instead. */
async function registerOnBackend(stack: Stack, changes: Record<string, unknown>): Promise<void> {
  const fixture = {
    ...seeded.fixture,
    applications: seeded.fixture.applications.map((application) =>
      application.clientId === seeded.backend.clientId
        ? { ...application, secrets: [], ...changes }
        : application,
    ),
  };
  expect((await identityControl(stack, 'fixture', fixture)).status).toBe(200);
}

async function tokenRequests(stack: Stack): Promise<number> {
  const log = await identityControl(stack, 'requests');
  return z.object({ counts: z.record(z.string(), z.number()) }).parse(log.json).counts[TOKEN_ROUTE] ?? 0;
}

function expectProductSources(answer: ApiAnswer): void {
  expect({ status: answer.status, text: answer.status === 200 ? '' : answer.text }).toEqual({
    status: 200,
    text: '',
  });
  expect(
    z
      .array(z.unknown())
      .min(1)
      .parse((answer.body as { sources?: unknown }).sources),
  ).not.toEqual([]);
}

describe('BACKEND_CLIENT_CERTIFICATE', () => {
  let stack: Stack;
  let certificate: CertificateAndKey;
  let alex: string;

  beforeAll(async () => {
    certificate = await generateClientCertificate('Oneflow Product Sync backend');
    stack = await startStack({
      env: {
        // Empty counts as unset: the stack's secret is replaced, not added to.
        BACKEND_CLIENT_SECRET: '',
        BACKEND_CLIENT_CERTIFICATE: `${certificate.certificatePem}${certificate.privateKeyPem}`,
      },
    });
    alex = await stack.token('alex');
  });

  afterAll(async () => {
    await stack.close();
  });

  test('before the certificate is uploaded to the app registration, Entra refuses it: 502 identity_unavailable, the key nowhere in the answer', async () => {
    await registerOnBackend(stack, {});
    const answer = await stack.api('GET', SOURCES, { token: alex });
    expectError(
      answer,
      502,
      'identity_unavailable',
      /^Could not sign in to Dynamics as the product sync application/,
    );
    for (const line of certificate.privateKeyPem.split(/\r?\n/).filter((part) => part.length > 16)) {
      expect(answer.text).not.toContain(line);
    }
    expect(await tokenRequests(stack)).toBeGreaterThan(0);
  });

  test('with the certificate uploaded (and no secret on the app), the backend reads Dataverse as the application', async () => {
    await registerOnBackend(stack, { certificates: [{ certificatePem: certificate.certificatePem }] });
    expectProductSources(await stack.api('GET', SOURCES, { token: alex }));
  });
});

describe('BACKEND_FEDERATED_CREDENTIAL=managedidentity', () => {
  let stack: Stack;
  const saved = {
    IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT,
    IDENTITY_HEADER: process.env.IDENTITY_HEADER,
  };

  beforeAll(async () => {
    stack = await startStack({
      env: { BACKEND_CLIENT_SECRET: '', BACKEND_FEDERATED_CREDENTIAL: 'managedidentity' },
    });
    // What App Service and Azure Functions set in the app's processes: here the identity simulator's endpoint.
    process.env.IDENTITY_ENDPOINT = `${stack.simulators.identityUrl}/msi/token`;
    process.env.IDENTITY_HEADER = seeded.managedIdentity.identityHeader;
  });

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    await stack.close();
  });

  test("the Function app's managed identity, trusted by the app registration, reads Dataverse with no secret anywhere", async () => {
    await registerOnBackend(stack, {});
    expectProductSources(await stack.api('GET', SOURCES, { token: await stack.token('alex') }));
  });
});
