// Paged reads of a world's rows: GET /_emulator/users, /tweets, /relations, /tokens with
// offset= and limit= (and world=, user=): what the console's tables show, one page at a time.
import { browseRelations, browseTokens, browseTweets, browseUsers } from '../../db/browse.js';
import type { World } from '../../db/world.js';
import { FIXTURES } from '../../seed/generate.js';
import { num, str, WORLD_FIELD, type Control, type ControlDoc } from './context.js';

/** most rows one page may ask for */
export const MAX_PAGE = 500;
/** the parameters of /tweets, /relations and /tokens */
const PAGED = ['world', 'offset', 'limit', 'user'] as const;

const PAGE_QUERY = {
  world: WORLD_FIELD,
  offset: { type: 'integer', minimum: 0, default: 0 },
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 50 },
};
const tableDoc = (summary: string, extra: Record<string, Record<string, unknown>>): ControlDoc => ({
  summary,
  query: { ...PAGE_QUERY, ...extra },
  example: { offset: 0, limit: 5 },
  answer: { type: 'object', additionalProperties: true },
});
const USER_FILTER = { user: { type: 'string', description: 'account name or user id: that user only' } };
const USERS_DOC = tableDoc('one page of users (with their openid in appid)', { appid: { type: 'string', description: 'the graph app whose openids are shown (101000001 when absent)' } });

export function registerTables({ route, targetWorld, userOf }: Control): void {
  const page = (o: Record<string, unknown>) => ({
    offset: num(o.offset, 'offset', { int: true, min: 0 }) ?? 0,
    limit: num(o.limit, 'limit', { int: true, min: 1, max: MAX_PAGE }) ?? 50,
  });
  /** user= narrows a table to one user (name or id); absent: everyone */
  const userFilter = (w: World, o: Record<string, unknown>): number | undefined => (str(o.user, 'user') === undefined ? undefined : userOf(w, o.user).id);

  // routed only for GET: POST /_emulator/users, /relations and /tokens/* are issuance (issuance.ts)
  route('GET', 'users', ['world', 'offset', 'limit', 'appid'], (_req, _reply, o) => {
    const w = targetWorld(o);
    const { offset, limit } = page(o);
    const appid = str(o.appid, 'appid') ?? FIXTURES.graphApp.appid;
    return { appid, ...browseUsers(w, appid, offset, limit) };
  }, USERS_DOC);
  route('GET', 'tweets', PAGED, (_req, _reply, o) => {
    const w = targetWorld(o);
    const { offset, limit } = page(o);
    return browseTweets(w, userFilter(w, o), offset, limit);
  }, tableDoc('one page of tweets, newest first', USER_FILTER));
  route('GET', 'relations', PAGED, (_req, _reply, o) => {
    const w = targetWorld(o);
    const { offset, limit } = page(o);
    return browseRelations(w, userFilter(w, o), offset, limit);
  }, tableDoc('one page of follows, newest first', USER_FILTER));
  route('GET', 'tokens', PAGED, (_req, _reply, o) => {
    const w = targetWorld(o);
    const { offset, limit } = page(o);
    return browseTokens(w, userFilter(w, o), offset, limit);
  }, tableDoc('one page of graph and weibo tokens, newest first', USER_FILTER));
}
