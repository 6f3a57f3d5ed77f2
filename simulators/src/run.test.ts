import { z } from 'zod';
import { seededEntities } from './identity/seededEntities';
import { postFormTrusting, requestTrusting } from './identity/tlsClient';
import { KIND_READINGS, UNKIND_READINGS } from './oneflow/readings';
import { portsFromEnvironment, startAllSimulators, type RunningSimulators } from './run';

const seeded = seededEntities();
let simulators: RunningSimulators;

beforeAll(async () => {
  simulators = await startAllSimulators({ dataverse: 0, oneflow: 0, identity: 0 });
});

afterAll(async () => {
  await simulators.close();
});

const TokenAnswerSchema = z.object({ access_token: z.string() });

async function backendTokenFor(scope: string, tenant: string = seeded.homeTenantId): Promise<string> {
  const { identity } = simulators;
  const response = await postFormTrusting(
    identity.certificatePem,
    `${identity.url}/${tenant}/oauth2/v2.0/token`,
    {
      grant_type: 'client_credentials',
      client_id: seeded.backend.clientId,
      client_secret: seeded.backendSecret,
      scope,
    },
  );
  return TokenAnswerSchema.parse(response.json).access_token;
}

function whoAmI(token: string): Promise<Response> {
  return fetch(`${simulators.dataverse.url}/api/data/v9.2/WhoAmI`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
}

describe('startAllSimulators (integration)', () => {
  it('starts the three simulators on 127.0.0.1, identity over HTTPS', async () => {
    const { dataverse, oneflow, identity } = simulators;
    expect(dataverse.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(oneflow.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(identity.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${oneflow.url}/_sim/requests`)).status).toBe(200);
    const discovery = await requestTrusting(
      identity.certificatePem,
      `${identity.url}/${identity.homeTenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(discovery.status).toBe(200);
  });

  it('fact: Dataverse accepts the backend’s client-credentials token from the identity simulator', async () => {
    const response = await whoAmI(await backendTokenFor(`${simulators.dataverse.url}/.default`));
    expect(response.status).toBe(200);
  });

  it('fact: Dataverse accepts the audience with a trailing slash, as a //.default scope asks for it', async () => {
    const response = await whoAmI(await backendTokenFor(`${simulators.dataverse.url}//.default`));
    expect(response.status).toBe(200);
  });

  it('fact: Dataverse refuses a token of another tenant, an expired one and one for another audience (401)', async () => {
    const { identity, dataverse } = simulators;
    // A known Dataverse user's oid, so only the tenant makes it invalid.
    const otherTenant = await identity.mintUserToken({
      tid: seeded.otherTenantId,
      oid: seeded.rep.oid,
      aud: dataverse.url,
    });
    const expired = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.rep.oid,
      aud: dataverse.url,
      expiresInSeconds: -3600,
    });
    const otherAudience = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.rep.oid,
      aud: 'https://contoso.crm4.dynamics.com',
    });
    for (const token of [otherTenant, expired, otherAudience]) {
      expect((await whoAmI(token)).status).toBe(401);
    }
  });

  it('fact: a user token minted for the Dataverse URL signs the user in to Dataverse', async () => {
    const { identity, dataverse } = simulators;
    const token = await identity.mintUserToken({
      tid: seeded.homeTenantId,
      oid: seeded.rep.oid,
      aud: dataverse.url,
    });
    expect((await whoAmI(token)).status).toBe(200);
  });

  it('starts the Oneflow simulator under the readings it is given, kind by default', async () => {
    const readingsOf = async (running: RunningSimulators) =>
      (await fetch(`${running.oneflow.url}/_sim/readings`)).json();
    expect(await readingsOf(simulators)).toEqual(KIND_READINGS);
    const unkind = await startAllSimulators(
      { dataverse: 0, oneflow: 0, identity: 0 },
      { oneflowReadings: UNKIND_READINGS },
    );
    try {
      expect(await readingsOf(unkind)).toEqual(UNKIND_READINGS);
    } finally {
      await unkind.close();
    }
  });

  it('reads ports from SIM_*_PORT and refuses a value that is not a port', () => {
    expect(portsFromEnvironment({ SIM_ONEFLOW_PORT: '7202' })).toEqual({
      dataverse: 7101,
      oneflow: 7202,
      identity: 7103,
    });
    for (const value of ['https', '1e3', '0x50', ' 80', '70000']) {
      expect(() => portsFromEnvironment({ SIM_IDENTITY_PORT: value })).toThrow(/SIM_IDENTITY_PORT/);
    }
  });
});
