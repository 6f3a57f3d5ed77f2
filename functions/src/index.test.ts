import { app } from '@azure/functions';
import { QUEUE_FUNCTIONS, ROUTES, TIMER_FUNCTIONS } from './registry';

describe('the Functions entry point', () => {
  it('registers every function of the registry with the Functions host', async () => {
    const http = jest.spyOn(app, 'http').mockImplementation(() => undefined);
    const queue = jest.spyOn(app, 'storageQueue').mockImplementation(() => undefined);
    const timer = jest.spyOn(app, 'timer').mockImplementation(() => undefined);
    await import('./index');
    const registered = http.mock.calls.map(([name, options]) => ({
      name,
      route: options.route,
      methods: options.methods ?? [],
      authLevel: options.authLevel,
    }));
    expect(registered.map(({ name, route, authLevel }) => [name, route, authLevel])).toEqual(
      ROUTES.map((route) => [route.name, route.route, 'anonymous']),
    );
    expect(registered.map(({ methods }) => methods.filter((method) => method !== 'OPTIONS'))).toEqual(
      ROUTES.map((route) => [...route.methods]),
    );
    // CORS preflights: each browser-callable path's OPTIONS is taken by exactly one of its functions.
    const preflightPaths = registered
      .filter(({ methods }) => methods.includes('OPTIONS'))
      .map(({ route }) => route);
    expect(preflightPaths).toEqual([
      ...new Set(ROUTES.filter((route) => route.name !== 'webhookReceive').map((route) => route.route)),
    ]);
    expect(registered.find(({ name }) => name === 'webhookReceive')?.methods).toEqual(['POST']);
    expect(registered.find(({ name }) => name === 'settingsGet')?.methods).toEqual(['GET', 'OPTIONS']);
    expect(registered.find(({ name }) => name === 'settingsPut')?.methods).toEqual(['PUT']);
    expect(queue.mock.calls.map(([name, options]) => [name, options.queueName, options.connection])).toEqual(
      QUEUE_FUNCTIONS.map((definition) => [definition.name, '%WEBHOOK_QUEUE_NAME%', 'AzureWebJobsStorage']),
    );
    expect(timer.mock.calls.map(([name, options]) => [name, options.schedule])).toEqual(
      TIMER_FUNCTIONS.map((definition) => [definition.name, definition.schedule]),
    );
  });
});
