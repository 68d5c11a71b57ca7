// GET /_emulator/ca.pem: the CA certificate a client must trust for the TLS listeners (server/tls.ts),
// so an app container or a test can fetch it instead of mounting a file. Only the certificate: the CA
// key never leaves the cert folder. Registered by buildApp (which holds the certificates); the
// control plane's admin token applies.
import type { FastifyInstance } from 'fastify';
import { refuse } from './context.js';

export const CA_PEM_PATH = '/_emulator/ca.pem';

export function registerCaPem(app: FastifyInstance, ca: string | undefined): void {
  app.get(CA_PEM_PATH, (_req, reply) => {
    if (!ca) {
      return refuse(reply, 404, 'HTTPS is off: no CA (start with --https, --https-port or a --*-https-port)');
    }
    return reply.type('application/x-pem-file').header('content-disposition', 'inline; filename="ca.pem"').header('cache-control', 'no-cache').send(ca);
  });
}
