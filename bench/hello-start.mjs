// The start's ceiling for bench/run.ts: a bare fastify app answering GET /_emulator/health,
// started like the emulator (`node <file> --port N`) — node's own start plus importing fastify
// and listening, nothing of the emulator's.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/_emulator/health', async () => ({ ok: true }));
const i = process.argv.indexOf('--port');
await app.listen({ host: '127.0.0.1', port: Number(process.argv[i + 1]) });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
