import { app } from '@azure/functions';
import { QUEUE_FUNCTIONS, ROUTES, TIMER_FUNCTIONS } from './registry';

describe('the Functions entry point', () => {
  it('registers every function of the registry with the Functions host', async () => {
    const http = jest.spyOn(app, 'http').mockImplementation(() => undefined);
    const queue = jest.spyOn(app, 'storageQueue').mockImplementation(() => undefined);
    const timer = jest.spyOn(app, 'timer').mockImplementation(() => undefined);
    await import('./index');
    expect(
      http.mock.calls.map(([name, options]) => [name, options.route, options.methods, options.authLevel]),
    ).toEqual(ROUTES.map((route) => [route.name, route.route, [...route.methods], 'anonymous']));
    expect(queue.mock.calls.map(([name, options]) => [name, options.queueName, options.connection])).toEqual(
      QUEUE_FUNCTIONS.map((definition) => [definition.name, '%WEBHOOK_QUEUE_NAME%', 'AzureWebJobsStorage']),
    );
    expect(timer.mock.calls.map(([name, options]) => [name, options.schedule])).toEqual(
      TIMER_FUNCTIONS.map((definition) => [definition.name, definition.schedule]),
    );
  });
});
