// Configuration from environment variables and CLI flags (flags win). Every setting has a
// default, so the emulator starts with no configuration at all.
import { parseArgs } from 'node:util';

export interface EmulatorConfig {
  host: string;
  port: number;
  /** SQLite file, or ':memory:' */
  db: string;
  seed: number;
  /** world size: 'small' (default, instant), 'medium', or a tweet count such as 1000000 */
  size: string;
  /** a fixtures file (JSON, or YAML by extension) loaded into the world at start and after every reset ('' = none) */
  fixtures: string;
  /** public base URL for generated links and OAuth 1.0a base strings ('' = from the request) */
  baseUrl: string;
  /** max upload size in bytes */
  maxUpload: number;
  /** authorize auto-approves as this user (name) when the request names none */
  autoApproveUser: string;
  /** authorize shows an approve/deny page when the request names no user (emu_user / X-Emulator-User) */
  interactive: boolean;
  logLevel: string;
  /** the main port serves HTTPS with a generated CA + server certificate kept in certDir (server/tls.ts) */
  https: boolean;
  /** a TLS port beside the (plain) main port, serving the same: both schemes in one process (0 = off) */
  httpsPort: number;
  /** where ca.pem, server.pem and their keys are written on first HTTPS start */
  certDir: string;
  /** a folder that gets a copy of ca.pem alone, for mounting into app containers ('' = none) */
  caDir: string;
  /** when set, every /_emulator/ call needs `Authorization: Bearer <adminToken>` ('' = open) */
  adminToken: string;
  /** when set, /_emulator/* is served only on this extra port (same host), not on `port` (0 = off) */
  controlPort: number;
  /** an extra port that serves only graph.qq.com paths (0 = off) */
  graphPort: number;
  /** an extra port that serves only open.t.qq.com paths (0 = off) */
  weiboPort: number;
  /** the same three, always over TLS (0 = off); the ones above take the main port's scheme */
  controlHttpsPort: number;
  graphHttpsPort: number;
  weiboHttpsPort: number;
  /** X-Forwarded-Host / -Proto shape generated links and the OAuth 1.0a base URI (off: the Host header only) */
  trustProxy: boolean;
  /** seconds a client has to send a whole request, headers and body (0 = no limit) */
  requestTimeout: number;
  /** seconds a client has to send the request headers (at most requestTimeout) */
  headersTimeout: number;
  /** seconds SIGINT / SIGTERM waits for in-flight requests before closing them */
  shutdownTimeout: number;
}

export const DEFAULTS: EmulatorConfig = {
  host: '127.0.0.1',
  port: 8080,
  db: ':memory:',
  seed: 1,
  size: 'small',
  fixtures: '',
  baseUrl: '',
  maxUpload: 4 * 1024 * 1024,
  autoApproveUser: 'alice',
  interactive: false,
  logLevel: 'warn',
  https: false,
  httpsPort: 0,
  certDir: './data/certs',
  caDir: '',
  adminToken: '',
  controlPort: 0,
  graphPort: 0,
  weiboPort: 0,
  controlHttpsPort: 0,
  graphHttpsPort: 0,
  weiboHttpsPort: 0,
  trustProxy: true,
  requestTimeout: 30,
  headersTimeout: 10,
  shutdownTimeout: 5,
};

const ENV: Record<keyof EmulatorConfig, string> = {
  host: 'EMU_HOST',
  port: 'EMU_PORT',
  db: 'EMU_DB',
  seed: 'EMU_SEED',
  size: 'EMU_SIZE',
  fixtures: 'EMU_FIXTURES',
  baseUrl: 'EMU_BASE_URL',
  maxUpload: 'EMU_MAX_UPLOAD',
  autoApproveUser: 'EMU_AUTO_APPROVE_USER',
  interactive: 'EMU_INTERACTIVE',
  logLevel: 'EMU_LOG_LEVEL',
  https: 'EMU_HTTPS',
  httpsPort: 'EMU_HTTPS_PORT',
  certDir: 'EMU_CERT_DIR',
  caDir: 'EMU_CA_DIR',
  adminToken: 'EMU_ADMIN_TOKEN',
  controlPort: 'EMU_CONTROL_PORT',
  graphPort: 'EMU_GRAPH_PORT',
  weiboPort: 'EMU_WEIBO_PORT',
  controlHttpsPort: 'EMU_CONTROL_HTTPS_PORT',
  graphHttpsPort: 'EMU_GRAPH_HTTPS_PORT',
  weiboHttpsPort: 'EMU_WEIBO_HTTPS_PORT',
  trustProxy: 'EMU_TRUST_PROXY',
  requestTimeout: 'EMU_REQUEST_TIMEOUT',
  headersTimeout: 'EMU_HEADERS_TIMEOUT',
  shutdownTimeout: 'EMU_SHUTDOWN_TIMEOUT',
};

/** Environment variable of each setting (for docs, Dockerfile and compose checks). */
export const ENV_NAMES: Readonly<Record<keyof EmulatorConfig, string>> = ENV;

export const HELP = `Usage: tencent-open-emulator [options]

  --host <addr>        listen address            (EMU_HOST, default ${DEFAULTS.host})
  --port <n>           listen port               (EMU_PORT, default ${DEFAULTS.port})
  --db <path>          SQLite file or :memory:   (EMU_DB, default ${DEFAULTS.db})
  --seed <n>           seed number of the world  (EMU_SEED, default ${DEFAULTS.seed})
  --size <s>           small | medium | <tweets> (EMU_SIZE, default ${DEFAULTS.size})
  --fixtures <file>    apps, users, relations, tweets, private messages and fixed tokens (JSON,
                       or YAML by .yaml/.yml) loaded at start and after every reset (EMU_FIXTURES)
  --base-url <url>     public base URL for links (EMU_BASE_URL, default: the request's)
  --max-upload <bytes> upload size limit         (EMU_MAX_UPLOAD, default ${DEFAULTS.maxUpload})
  --auto-approve-user <name>  user picked by authorize when none is given (EMU_AUTO_APPROVE_USER, default ${DEFAULTS.autoApproveUser})
  --interactive        authorize shows an approve/deny page (pick a user) unless the request names
                       one with emu_user or X-Emulator-User (EMU_INTERACTIVE=1, default: auto-approve)
  --log-level <level>  fatal|error|warn|info|debug (EMU_LOG_LEVEL, default ${DEFAULTS.logLevel})
  --https              the main port (and --*-port) serve HTTPS instead of HTTP; a CA and a
                       certificate for graph.qq.com, open.t.qq.com, localhost and 127.0.0.1 are
                       generated on first start (EMU_HTTPS=1)
  --https-port <n>     a TLS port beside the plain --port, serving the same (one process, world,
                       journal, faults): e.g. --port 80 --https-port 443 for SDKs that call both
                       https://graph.qq.com and http://open.t.qq.com (EMU_HTTPS_PORT, default 0 = off)
  --cert-dir <dir>     where ca.pem (trust it in clients) and server.pem live
                                                 (EMU_CERT_DIR, default ${DEFAULTS.certDir}); the CA key
                       stays there (mode 0600): do not mount it into app containers
  --ca-dir <dir>       also copy ca.pem (alone) here: the folder to mount into app containers
                       (EMU_CA_DIR, default: none). GET /_emulator/ca.pem serves it too
  --admin-token <t>    require Authorization: Bearer <t> on /_emulator/ (EMU_ADMIN_TOKEN, default: none;
                       the console page itself loads without it and asks for it)
  --control-port <n>   serve /_emulator/ (control, console, docs) only on this extra port of the
                       same host; the main port then answers 404 there (EMU_CONTROL_PORT, default 0 = off)
  --graph-port <n>     extra port serving only graph.qq.com paths (EMU_GRAPH_PORT, default 0 = off)
  --weibo-port <n>     extra port serving only open.t.qq.com paths (EMU_WEIBO_PORT, default 0 = off)
                       these three take the main port's scheme (HTTPS with --https); their TLS twins:
  --control-https-port <n>, --graph-https-port <n>, --weibo-https-port <n>
                       the same, always HTTPS (EMU_CONTROL_HTTPS_PORT, EMU_GRAPH_HTTPS_PORT,
                       EMU_WEIBO_HTTPS_PORT, default 0 = off). A TLS port sent plain HTTP answers 400
                       naming the https URL.
  --no-trust-proxy     ignore X-Forwarded-Host / -Proto for links and OAuth 1.0a base strings
                       (EMU_TRUST_PROXY=0; default: trusted)
  --request-timeout <s>  a whole request (headers and body) must arrive within this many seconds
                       (EMU_REQUEST_TIMEOUT, default ${DEFAULTS.requestTimeout}; 0 = no limit)
  --headers-timeout <s>  the request headers must arrive within this many seconds
                       (EMU_HEADERS_TIMEOUT, default ${DEFAULTS.headersTimeout})
  --shutdown-timeout <s> SIGINT/SIGTERM waits this long for in-flight requests; a second signal
                       exits at once (EMU_SHUTDOWN_TIMEOUT, default ${DEFAULTS.shutdownTimeout})
  --help               this text
`;

export function loadConfig(argv: string[] = [], env: NodeJS.ProcessEnv = process.env): EmulatorConfig & { help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      db: { type: 'string' },
      seed: { type: 'string' },
      size: { type: 'string' },
      fixtures: { type: 'string' },
      'base-url': { type: 'string' },
      'max-upload': { type: 'string' },
      'auto-approve-user': { type: 'string' },
      interactive: { type: 'boolean' },
      'log-level': { type: 'string' },
      https: { type: 'boolean' },
      'https-port': { type: 'string' },
      'control-https-port': { type: 'string' },
      'graph-https-port': { type: 'string' },
      'weibo-https-port': { type: 'string' },
      'cert-dir': { type: 'string' },
      'ca-dir': { type: 'string' },
      'admin-token': { type: 'string' },
      'control-port': { type: 'string' },
      'graph-port': { type: 'string' },
      'weibo-port': { type: 'string' },
      'no-trust-proxy': { type: 'boolean' },
      'request-timeout': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'shutdown-timeout': { type: 'string' },
      help: { type: 'boolean' },
    },
    allowPositionals: false,
    strict: true,
  });
  const pick = (k: keyof EmulatorConfig, flag: string): string | undefined => (values as Record<string, string | undefined>)[flag] ?? env[ENV[k]];
  const num = (k: keyof EmulatorConfig, flag: string): number => {
    const v = pick(k, flag);
    if (v === undefined) return DEFAULTS[k] as number;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be a non-negative integer, got ${v}`);
    return n;
  };
  return {
    host: pick('host', 'host') ?? DEFAULTS.host,
    port: num('port', 'port'),
    db: pick('db', 'db') ?? DEFAULTS.db,
    seed: num('seed', 'seed'),
    size: pick('size', 'size') ?? DEFAULTS.size,
    fixtures: pick('fixtures', 'fixtures') ?? DEFAULTS.fixtures,
    baseUrl: pick('baseUrl', 'base-url') ?? DEFAULTS.baseUrl,
    maxUpload: num('maxUpload', 'max-upload'),
    autoApproveUser: pick('autoApproveUser', 'auto-approve-user') ?? DEFAULTS.autoApproveUser,
    interactive: values.interactive === true || /^(1|true|yes|on)$/i.test(env[ENV.interactive] ?? ''),
    logLevel: pick('logLevel', 'log-level') ?? DEFAULTS.logLevel,
    adminToken: pick('adminToken', 'admin-token') ?? DEFAULTS.adminToken,
    https: values.https === true || /^(1|true|yes|on)$/i.test(env[ENV.https] ?? ''),
    certDir: pick('certDir', 'cert-dir') ?? DEFAULTS.certDir,
    caDir: pick('caDir', 'ca-dir') ?? DEFAULTS.caDir,
    controlPort: num('controlPort', 'control-port'),
    graphPort: num('graphPort', 'graph-port'),
    weiboPort: num('weiboPort', 'weibo-port'),
    httpsPort: num('httpsPort', 'https-port'),
    controlHttpsPort: num('controlHttpsPort', 'control-https-port'),
    graphHttpsPort: num('graphHttpsPort', 'graph-https-port'),
    weiboHttpsPort: num('weiboHttpsPort', 'weibo-https-port'),
    trustProxy: values['no-trust-proxy'] !== true && !/^(0|false|no|off)$/i.test(env[ENV.trustProxy] ?? ''),
    requestTimeout: num('requestTimeout', 'request-timeout'),
    headersTimeout: num('headersTimeout', 'headers-timeout'),
    shutdownTimeout: num('shutdownTimeout', 'shutdown-timeout'),
    help: values.help === true,
  };
}

/** Whether some listener speaks TLS (so certificates are needed). */
export function needsTls(c: EmulatorConfig): boolean {
  return c.https || c.httpsPort > 0 || c.controlHttpsPort > 0 || c.graphHttpsPort > 0 || c.weiboHttpsPort > 0;
}

/** Log levels the logger knows (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Values the flag parser cannot judge alone: each problem is one line naming the flag and what
 * it accepts (server/start.ts prints it and exits 2).
 */
export function checkConfig(c: EmulatorConfig): void {
  for (const [flag, port] of [['port', c.port], ['control-port', c.controlPort], ['graph-port', c.graphPort], ['weibo-port', c.weiboPort], ['https-port', c.httpsPort], ['control-https-port', c.controlHttpsPort], ['graph-https-port', c.graphHttpsPort], ['weibo-https-port', c.weiboHttpsPort]] as const) {
    if (port > 65535) throw new Error(`--${flag} must be a port number from 0 to 65535, got ${port}${flag === 'port' ? ' (0 picks a free port)' : ''}`);
  }
  if (!/^(small|medium|0|[1-9]\d{0,8})$/.test(c.size)) throw new Error(`--size must be small, medium or a tweet count such as 1000000, got ${c.size}`);
  if (!(LOG_LEVELS as readonly string[]).includes(c.logLevel)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${c.logLevel}`);
  if (c.requestTimeout > 0 && c.headersTimeout > c.requestTimeout) {
    throw new Error(`--headers-timeout (${c.headersTimeout} s) must not exceed --request-timeout (${c.requestTimeout} s)`);
  }
}
