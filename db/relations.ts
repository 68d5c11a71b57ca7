import type { World } from './world.js';

export interface Page<T> {
  items: T[];
  /** 0 = more to fetch, 1 = no more (the APIs' own inverted convention). */
  hasnext: 0 | 1;
  total: number;
}

type ListKind = 'fans' | 'idols' | 'special' | 'black';

const LIST_SQL: Record<ListKind, { rows: string; count: string }> = {
  fans: {
    rows: 'SELECT fan_id AS id FROM follows WHERE idol_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?',
    count: "SELECT COALESCE((SELECT n FROM counters WHERE key = 'fans' AND id = ?), 0) n",
  },
  idols: {
    rows: 'SELECT idol_id AS id FROM follows WHERE fan_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?',
    count: "SELECT COALESCE((SELECT n FROM counters WHERE key = 'idols' AND id = ?), 0) n",
  },
  special: {
    rows: 'SELECT idol_id AS id FROM follows WHERE fan_id = ? AND special = 1 ORDER BY seq DESC LIMIT ? OFFSET ?',
    count: 'SELECT COUNT(*) n FROM follows WHERE fan_id = ? AND special = 1',
  },
  black: {
    rows: 'SELECT black_id AS id FROM blacklist WHERE user_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?',
    count: 'SELECT COUNT(*) n FROM blacklist WHERE user_id = ?',
  },
};

export class RelationStore {
  constructor(private readonly w: World) {}

  private nextSeq(table: 'follows' | 'blacklist'): number {
    return ((this.w.db.prepare(`SELECT MAX(seq) m FROM ${table}`).get() as { m: number | null }).m ?? 0) + 1;
  }

  /** Of `ids`: who follows the viewer (fans) and whom the viewer follows (idols). */
  viewerRelations(viewerId: number, ids: number[]): { fans: Set<number>; idols: Set<number> } {
    const fans = new Set<number>();
    const idols = new Set<number>();
    if (ids.length) {
      const marks = ids.map(() => '?').join(',');
      const rows = this.w.db
        .prepare(`SELECT fan_id, idol_id FROM follows WHERE (idol_id = ? AND fan_id IN (${marks})) OR (fan_id = ? AND idol_id IN (${marks}))`)
        .all(viewerId, ...ids, viewerId, ...ids) as { fan_id: number; idol_id: number }[];
      for (const r of rows) {
        if (r.idol_id === viewerId) fans.add(r.fan_id);
        if (r.fan_id === viewerId) idols.add(r.idol_id);
      }
    }
    return { fans, idols };
  }

  isIdol(fanId: number, idolId: number): boolean {
    return !!this.w.db.prepare('SELECT 1 FROM follows WHERE fan_id = ? AND idol_id = ?').get(fanId, idolId);
  }
  isSpecial(fanId: number, idolId: number): boolean {
    return !!this.w.db.prepare('SELECT 1 FROM follows WHERE fan_id = ? AND idol_id = ? AND special = 1').get(fanId, idolId);
  }
  /** Has `userId` blacklisted `otherId`? */
  isBlack(userId: number, otherId: number): boolean {
    return !!this.w.db.prepare('SELECT 1 FROM blacklist WHERE user_id = ? AND black_id = ?').get(userId, otherId);
  }

  /** fan starts following idol; returns false if already following. Notifies the idol (fans counter). */
  follow(fanId: number, idolId: number): boolean {
    return this.w.tx(() => {
      const r = this.w.db
        .prepare('INSERT OR IGNORE INTO follows (fan_id, idol_id, special, created_at, seq) VALUES (?, ?, 0, ?, ?)')
        .run(fanId, idolId, this.w.now(), this.nextSeq('follows'));
      if (r.changes > 0) this.w.db.prepare('UPDATE unread SET fans = fans + 1 WHERE user_id = ?').run(idolId);
      return r.changes > 0;
    });
  }

  unfollow(fanId: number, idolId: number): boolean {
    return this.w.db.prepare('DELETE FROM follows WHERE fan_id = ? AND idol_id = ?').run(fanId, idolId).changes > 0;
  }

  /** Special-follow implies following. */
  setSpecial(fanId: number, idolId: number, special: boolean): boolean {
    return this.w.tx(() => {
      if (special) this.follow(fanId, idolId);
      return this.w.db.prepare('UPDATE follows SET special = ? WHERE fan_id = ? AND idol_id = ?').run(special ? 1 : 0, fanId, idolId).changes > 0;
    });
  }

  /** Blacklisting also removes the follow in both directions, as the real service did. */
  addBlack(userId: number, blackId: number): boolean {
    return this.w.tx(() => {
      const r = this.w.db
        .prepare('INSERT OR IGNORE INTO blacklist (user_id, black_id, created_at, seq) VALUES (?, ?, ?, ?)')
        .run(userId, blackId, this.w.now(), this.nextSeq('blacklist'));
      this.w.db.prepare('DELETE FROM follows WHERE (fan_id = ? AND idol_id = ?) OR (fan_id = ? AND idol_id = ?)').run(userId, blackId, blackId, userId);
      return r.changes > 0;
    });
  }

  delBlack(userId: number, blackId: number): boolean {
    return this.w.db.prepare('DELETE FROM blacklist WHERE user_id = ? AND black_id = ?').run(userId, blackId).changes > 0;
  }

  /** startindex/reqnum pagination over one of a user's lists, newest relation first. */
  list(kind: ListKind, userId: number, startindex: number, reqnum: number): Page<number> {
    const sql = LIST_SQL[kind];
    const total = (this.w.db.prepare(sql.count).get(userId) as { n: number }).n;
    const items = (this.w.db.prepare(sql.rows).all(userId, reqnum, startindex) as { id: number }[]).map((r) => r.id);
    return { items, total, hasnext: startindex + items.length < total ? 0 : 1 };
  }
}
