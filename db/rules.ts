// Write rules of open.t.qq.com publishing (errcodes 4, 8, 9, 10, 13) and API rate limits.
// Configurable so tests can trigger and avoid each one.
export interface WriteRules {
  /** Max content length in UTF-8 bytes, URLs counted as `urlBytes` each (errcode 8). */
  maxContentBytes: number;
  urlBytes: number;
  /** Words that make a post "dirty" (errcode 4). Case-insensitive substring match. */
  dirtyWords: string[];
  /** Regular expressions (source text) that mark a post as spam (errcode 9). */
  spamPatterns: string[];
  /** At most `postBurst` posts per user within `postWindowSeconds` (errcode 10). 0 disables. */
  postBurst: number;
  postWindowSeconds: number;
  /** Same content as the user's previous post within this many seconds is a duplicate (errcode 13). 0 disables. */
  duplicateWindowSeconds: number;
  /** API calls per (app, user) within `rateWindowSeconds` before ret 2. 0 disables. */
  rateLimit: number;
  rateWindowSeconds: number;
}

export const defaultRules = (): WriteRules => ({
  maxContentBytes: 420,
  urlBytes: 11,
  dirtyWords: ['法轮', '六合彩', 'dirtyword'],
  spamPatterns: ['(?:加|\\+)\\s*(?:QQ|qq|微信)\\s*\\d{5,}', 'spam-link\\.example'],
  postBurst: 30,
  postWindowSeconds: 60,
  duplicateWindowSeconds: 3600,
  rateLimit: 0,
  rateWindowSeconds: 3600,
});
