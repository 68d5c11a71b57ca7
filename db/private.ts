// Private messages (open.t.qq.com private/*): sending with the publish rules, per-box
// deletion, inbox/outbox pages in the `time` mode, and the recipient's unread counter.
import type { World } from './world.js';
import type { UserRow } from './users.js';
import { badParam, writeRefused, notFound } from './errors.js';
import { contentBytes } from './tweets.js';
import { timePage, type TimeCursor, type TimePage } from './paging.js';

export interface PrivateRow {
  id: number;
  from_id: number;
  to_id: number;
  origtext: string;
  timestamp: number;
  client_ip: string;
  jing: string;
  wei: string;
  deleted_by_sender: number;
  deleted_by_recipient: number;
}

export interface NewPrivate {
  fromId: number;
  /** the recipient's account name */
  toName: string;
  content: string;
  clientIp?: string;
  jing?: string;
  wei?: string;
}

export type Box = 'recv' | 'send';

export function getPrivate(w: World, id: number): PrivateRow | undefined {
  return w.db.prepare('SELECT * FROM private_messages WHERE id = ?').get(id) as PrivateRow | undefined;
}

/**
 * May `sender` write to `recipient` under the recipient's send_private_flag?
 * 0: only people the recipient follows; 1: those plus verified (isvip) users and the
 * recipient's fans; 2 (default): everyone.
 */
function allowedBySetting(w: World, sender: UserRow, recipient: UserRow): boolean {
  const flag = recipient.send_private_flag;
  if (flag === 2) return true;
  if (w.relations.isIdol(recipient.id, sender.id)) return true;
  if (flag === 1) return sender.isvip === 1 || w.relations.isIdol(sender.id, recipient.id);
  return false;
}

/** Sends a private message; refusals are ret 1 (parameters) or ret 4 with a write errcode. */
export function sendPrivate(w: World, m: NewPrivate): PrivateRow {
  const rules = w.rules;
  const content = m.content ?? '';
  if (content.trim() === '') throw badParam('error content param: missing');
  if (contentBytes(content, rules.urlBytes) > rules.maxContentBytes) throw writeRefused(8, 'content too long');
  const lower = content.toLowerCase();
  if (rules.dirtyWords.some((d) => d && lower.includes(d.toLowerCase()))) throw writeRefused(4, 'too many dirty words');
  if (rules.spamPatterns.some((p) => new RegExp(p, 'i').test(content))) throw writeRefused(9, 'spam content');
  return w.tx(() => {
    const sender = w.users.byId(m.fromId);
    if (!sender) throw badParam('error sender: no such user');
    const recipient = w.users.byName(m.toName);
    if (!recipient) throw badParam('error name param: no such user');
    if (recipient.id === sender.id) throw badParam('error name param: cannot send a private message to yourself');
    if (w.relations.isBlack(recipient.id, sender.id)) throw writeRefused(5, 'access forbidden: you are blacklisted by the recipient');
    if (!allowedBySetting(w, sender, recipient)) throw writeRefused(5, 'access forbidden: the recipient does not accept private messages from you');
    const now = w.now();
    const info = w.db
      .prepare('INSERT INTO private_messages (from_id, to_id, origtext, timestamp, client_ip, jing, wei) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(sender.id, recipient.id, content, now, m.clientIp ?? '', m.jing ?? '0', m.wei ?? '0');
    w.db.prepare('INSERT OR IGNORE INTO unread (user_id) VALUES (?)').run(recipient.id);
    w.db.prepare('UPDATE unread SET private = private + 1 WHERE user_id = ?').run(recipient.id);
    return getPrivate(w, Number(info.lastInsertRowid))!;
  });
}

/**
 * Removes a message from the caller's own box only (the other party keeps it).
 * Unknown id or already gone from the caller's box: ret 4 errcode 6; a message the caller
 * neither sent nor received: ret 4 errcode 5, and nothing changes.
 */
export function deletePrivate(w: World, userId: number, id: number): PrivateRow {
  return w.tx(() => {
    const m = getPrivate(w, id);
    if (!m) throw notFound('record does not exist');
    if (m.from_id !== userId && m.to_id !== userId) throw writeRefused(5, 'access forbidden: not your private message');
    const inSent = m.from_id === userId && !m.deleted_by_sender;
    const inRecv = m.to_id === userId && !m.deleted_by_recipient;
    if (!inSent && !inRecv) throw notFound('record does not exist');
    if (m.from_id === userId) w.db.prepare('UPDATE private_messages SET deleted_by_sender = 1 WHERE id = ?').run(id);
    if (m.to_id === userId) w.db.prepare('UPDATE private_messages SET deleted_by_recipient = 1 WHERE id = ?').run(id);
    return getPrivate(w, id)!;
  });
}

const BOX_FILTER: Record<Box, string> = {
  recv: 'FROM private_messages p WHERE p.to_id = ? AND p.deleted_by_recipient = 0',
  send: 'FROM private_messages p WHERE p.from_id = ? AND p.deleted_by_sender = 0',
};

/** One page of the inbox (recv) or outbox (send), newest first, `time` paging. */
export function privatePage(w: World, box: Box, userId: number, c: TimeCursor): TimePage<PrivateRow> {
  return timePage<PrivateRow>(w.db, 'p.*', BOX_FILTER[box], [userId], 'p.timestamp', 'p.id', c);
}

export function privateTotal(w: World, box: Box, userId: number): number {
  return (w.db.prepare(`SELECT COUNT(*) n ${BOX_FILTER[box]}`).get(userId) as { n: number }).n;
}

/** Is the message still visible in the user's box? */
export function inBox(w: World, box: Box, userId: number, id: number): boolean {
  return !!w.db.prepare(`SELECT 1 ${BOX_FILTER[box]} AND p.id = ?`).get(userId, id);
}
