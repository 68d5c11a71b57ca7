// info/update's unread counters. Writes elsewhere bump them (tweets: home/create_/mentions,
// relations: fans, private messages: private); this module reads and clears them.
import type { World } from './world.js';

/** info/update counters. */
export interface UnreadCounts {
  home: number;
  private: number;
  fans: number;
  mentions: number;
  create: number;
}

const UNREAD_COLUMN = { 5: 'home', 6: 'mentions', 7: 'private', 8: 'fans', 9: 'create_' } as const;
export type UnreadType = keyof typeof UNREAD_COLUMN;

/** Reads the user's unread counters and, when `clear` names a type, zeroes that one (after reading). */
export function readUnread(w: World, userId: number, clear?: UnreadType): UnreadCounts {
  return w.tx(() => {
    w.db.prepare('INSERT OR IGNORE INTO unread (user_id) VALUES (?)').run(userId);
    const r = w.db.prepare('SELECT home, private, fans, mentions, create_ FROM unread WHERE user_id = ?').get(userId) as {
      home: number;
      private: number;
      fans: number;
      mentions: number;
      create_: number;
    };
    if (clear !== undefined) w.db.prepare(`UPDATE unread SET ${UNREAD_COLUMN[clear]} = 0 WHERE user_id = ?`).run(userId);
    return { home: r.home, private: r.private, fans: r.fans, mentions: r.mentions, create: r.create_ };
  });
}
