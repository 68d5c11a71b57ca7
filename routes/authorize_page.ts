// The interactive authorize page shared by graph.qq.com (/oauth2.0/authorize) and
// open.t.qq.com (/cgi-bin/authorize) when the emulator runs with --interactive: the app's name
// (and the scope asked for), a user picker (the first seeded users, or a typed name) and
// Approve / Deny buttons, posting back to the same path with the original parameters hidden.
// Every value that reaches the HTML is escaped here.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Args } from '../server/args.js';
import type { World } from '../db/world.js';
import type { UserRow } from '../db/users.js';
import type { App } from '../db/apps.js';

/** How many seeded users the <select> offers (by id); any other user can be typed in. */
export const PICKER_USERS = 50;

/** Form fields of the page itself; never carried over as "original parameters". */
export const PAGE_FIELDS = new Set(['decision', 'user', 'user_name', 'emu_user']);

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The validated request of an OAuth 2.0 authorize call (GET or the page's POST): graph.qq.com's
 * /oauth2.0/authorize and open.t.qq.com's /cgi-bin/oauth2/authorize. */
export interface AuthorizeRequest {
  responseType: 'code' | 'token';
  client: App;
  redirectUri: string;
  scope: string;
  state: string | undefined;
}

export interface AuthorizePage {
  /** <title> and heading, e.g. "QQ互联 - 授权" */
  title: string;
  /** the path the form posts back to */
  action: string;
  appName: string;
  /** the permissions asked for (graph), shown as a list */
  scope?: string[];
  /** the original request parameters, carried as hidden fields */
  hidden: [string, string][];
  users: Pick<UserRow, 'name' | 'nick'>[];
  /** preselected user name */
  selected?: string;
}

/** The original parameters of the request, minus the page's own fields. */
export function carriedParams(args: Args): [string, string][] {
  return Object.entries(args.values).filter(([k]) => !PAGE_FIELDS.has(k));
}

/** The users the picker offers: the first PICKER_USERS by id. */
export function pickerUsers(world: World): UserRow[] {
  return world.users.list(PICKER_USERS, 0);
}

/** Did the request name a user itself (emu_user or the X-Emulator-User header)? Such requests auto-approve. */
export function namesUser(req: FastifyRequest, args: Args): boolean {
  return args.str('emu_user') !== undefined || req.headers['x-emulator-user'] !== undefined;
}

/**
 * The user a POSTed form chose: a typed name wins over the select, then emu_user / the
 * X-Emulator-User header (headless clients posting the form), then `fallback` if any.
 */
export function postedUserName(req: FastifyRequest, args: Args, fallback?: string): string | undefined {
  const typed = args.str('user_name')?.trim();
  if (typed) return typed;
  const chosen = args.str('user')?.trim();
  if (chosen) return chosen;
  const header = req.headers['x-emulator-user'];
  return args.str('emu_user') ?? (typeof header === 'string' ? header : undefined) ?? fallback;
}

/** The decision posted by the form: 'approve', 'deny' or undefined for anything else. */
export function decisionOf(args: Args): 'approve' | 'deny' | undefined {
  const d = args.str('decision');
  return d === 'approve' || d === 'deny' ? d : undefined;
}

export function renderAuthorizePage(p: AuthorizePage): string {
  const e = escapeHtml;
  const scope = p.scope?.length
    ? `<p>申请以下权限 / requested scope:</p><ul id="scope">${p.scope.map((s) => `<li>${e(s)}</li>`).join('')}</ul>`
    : '';
  const hidden = p.hidden.map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`).join('\n');
  const options = p.users
    .map((u) => `<option value="${e(u.name)}"${u.name === p.selected ? ' selected' : ''}>${e(u.name)} (${e(u.nick)})</option>`)
    .join('\n');
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${e(p.title)}</title></head><body>\n` +
    `<h1>${e(p.title)}</h1>\n` +
    `<p><span id="app_name">${e(p.appName)}</span> 请求访问你的账号 / wants to access your account.</p>\n` +
    scope +
    `\n<form id="authorize" method="post" action="${e(p.action)}">\n` +
    hidden +
    `\n<label>账号 / user: <select name="user">\n${options}\n</select></label>\n` +
    `<label>或输入 / or type a name: <input type="text" name="user_name" value=""></label>\n` +
    `<button type="submit" name="decision" value="approve">授权 / Approve</button>\n` +
    `<button type="submit" name="decision" value="deny">拒绝 / Deny</button>\n` +
    `</form>\n</body></html>\n`
  );
}

export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}
