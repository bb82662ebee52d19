// The embedded MQTT broker (aedes). Devices authenticate through the authenticator the devices module installs;
// until one is installed every connection is refused. When the configured port is taken (another broker on 1883,
// as on many machines) the next free port is used and logged.
import net from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';

export interface MqttAuthenticator {
  /** `client` lets the authenticator remember who the connection is (for publish and subscribe checks). */
  (clientId: string, username: string | undefined, password: Buffer | undefined, client: Client): Promise<boolean>;
}

export interface EmbeddedBroker {
  aedes: Aedes;
  port: number;
  setAuthenticator(a: MqttAuthenticator): void;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(preferredPort: number, log: Logger, tries = 20): Promise<EmbeddedBroker> {
  let authenticator: MqttAuthenticator = async () => false;
  const aedes = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      authenticator(client.id, username, password, client).then(
        (ok) => {
          if (ok) return done(null, true);
          const err = new Error('Bad username or password') as AuthenticateError;
          err.returnCode = 4;
          done(err, false);
        },
        (e: unknown) => done(e as AuthenticateError, false),
      );
    },
  });
  const server = net.createServer(aedes.handle);
  let port = preferredPort;
  for (let i = 0; ; i++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '0.0.0.0', () => {
          server.off('error', reject);
          resolve();
        });
      });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || i >= tries || port === 0) throw e;
      log.warn({ port }, 'MQTT port in use; trying the next one');
      port++;
    }
  }
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  log.info({ port: bound }, 'embedded MQTT broker listening');
  return {
    aedes,
    port: bound,
    setAuthenticator(a) {
      authenticator = a;
    },
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}
