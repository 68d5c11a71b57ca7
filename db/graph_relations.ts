// graph.qq.com relation/get_fanslist and relation/get_idollist: the `index`-paged lists of
// open.t.qq.com friends/* with the wrapper's extra filters (mode, install, sex).
import type { World } from './world.js';
import type { Page } from './relations.js';
import { counter } from './counters.js';

export interface GraphListOptions {
  startindex: number;
  reqnum: number;
  /** 0: old mode, newest relation first, at most 1000 rows; 1: new mode, unsorted (oldest first here), larger cap */
  mode: 0 | 1;
  /** 0: everyone; 1: only users who authorised `appid`; 2: only users who did not */
  install: 0 | 1 | 2;
  /** 0: everyone; 1: men; 2: women (fans list, mode 0 only) */
  sex: 0 | 1 | 2;
  appid: string;
}

/** How many rows each mode can reach (wiki: old mode 1000; new mode "all" fans / 10000 idols). */
export const LIST_CAP = { 0: 1000, 1: { fans: Number.MAX_SAFE_INTEGER, idols: 10000 } } as const;

/** A user "installed" the app when they authorised it: a token exists for it that was not revoked. */
const INSTALLED = 'EXISTS (SELECT 1 FROM oauth2_tokens o WHERE o.appid = ? AND o.user_id = u.id AND o.revoked = 0)';

/** One page of the caller's fans or idols (user ids), with hasnext 0 = more, 1 = no more. */
export function graphRelationPage(w: World, kind: 'fans' | 'idols', userId: number, o: GraphListOptions): Page<number> {
  const [self, other] = kind === 'fans' ? ['idol_id', 'fan_id'] : ['fan_id', 'idol_id'];
  let where = `f.${self} = ?`;
  const args: unknown[] = [userId];
  if (o.install !== 0) {
    where += o.install === 1 ? ` AND ${INSTALLED}` : ` AND NOT ${INSTALLED}`;
    args.push(o.appid);
  }
  if (kind === 'fans' && o.mode === 0 && o.sex !== 0) {
    where += ' AND u.sex = ?';
    args.push(o.sex);
  }
  const from = `FROM follows f JOIN users u ON u.id = f.${other} WHERE ${where}`;
  const cap = o.mode === 0 ? LIST_CAP[0] : LIST_CAP[1][kind];
  // unfiltered lists read the trigger-kept counter: a COUNT over 10 k fans dominated the call
  const filtered = args.length > 1;
  const count = filtered ? (w.db.prepare(`SELECT COUNT(*) n ${from}`).get(...args) as { n: number }).n : counter(w.db, kind, userId);
  const total = Math.min(count, cap);
  const limit = Math.max(0, Math.min(o.reqnum, total - o.startindex));
  const order = o.mode === 0 ? 'f.seq DESC' : 'f.seq ASC';
  const items = limit === 0
    ? []
    : (w.db.prepare(`SELECT u.id AS id ${from} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...args, limit, o.startindex) as { id: number }[]).map((r) => r.id);
  return { items, total, hasnext: o.startindex + items.length < total ? 0 : 1 };
}
