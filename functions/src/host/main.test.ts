import { ConfigError } from '../config/config';
import { localPorts } from './main';

describe('local runner ports', () => {
  it('are the documented defaults: Functions 7071, Azurite blobs 10000, queues 10001, tables 10002', () => {
    expect(localPorts({})).toEqual({ functions: 7071, azurite: { blob: 10000, queue: 10001, table: 10002 } });
  });

  it('move with FUNCTIONS_PORT and AZURITE_*_PORT; 0 lets the OS pick', () => {
    expect(
      localPorts({
        FUNCTIONS_PORT: '0',
        AZURITE_BLOB_PORT: '20000',
        AZURITE_QUEUE_PORT: '',
        AZURITE_TABLE_PORT: '0',
      }),
    ).toEqual({ functions: 0, azurite: { blob: 20000, queue: 10001, table: 0 } });
  });

  it('refuse a value that is not a port, naming the variable', () => {
    expect(() => localPorts({ AZURITE_QUEUE_PORT: 'queues' })).toThrow(ConfigError);
    expect(() => localPorts({ AZURITE_QUEUE_PORT: 'queues' })).toThrow(
      'AZURITE_QUEUE_PORT must be a port number (0-65535), got "queues"',
    );
    for (const value of ['70000', '1e3', '0x50', ' 80', '80.0', '-1']) {
      expect(() => localPorts({ FUNCTIONS_PORT: value })).toThrow(/FUNCTIONS_PORT/);
    }
  });
});
