/** Shared bits for HTTP tests: a tidemail with SMTP and HTTP up, mail delivery, JSON fetches. */
import { RawSmtpClient, sendMail, simpleMessage } from './smtp-client.js';
import { startServer, type TestServer } from './server.js';
import { deliveredVisibly } from './visible.js';

export interface HttpTestServer {
  server: TestServer;
  base: string;
  httpPort: number;
  /** Deliver one message over SMTP; resolves once it is visible in each recipient's inbox (visible.ts). */
  deliver(to: string | string[], message?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startHttpTestServer(args: string[] = []): Promise<HttpTestServer> {
  const server = await startServer({ expect: ['smtp', 'http'], args });
  const httpPort = server.ports.http!;
  return {
    server,
    httpPort,
    base: `http://127.0.0.1:${httpPort}`,
    async deliver(to, message) {
      const recipients = Array.isArray(to) ? to : [to];
      await deliveredVisibly(server.smtpPort, recipients, 1, async () => {
        const { client } = await RawSmtpClient.open(server.smtpPort);
        try {
          await client.send('EHLO test.example');
          const reply = await sendMail(client, 'sender@example.test', recipients, message ?? simpleMessage('Hello', 'Hello from a test.', recipients[0]));
          if (reply.code !== 250) throw new Error(`delivery failed: ${reply.text}`);
          await client.send('QUIT');
        } finally {
          client.close();
        }
      });
    },
    async stop() {
      await server.dispose();
    },
  };
}

export async function getJson<T = unknown>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
}
