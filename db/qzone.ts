// QZone albums and photos (graph.qq.com photo/*) and Tenpay delivery addresses
// (cft_info/get_tenpay_addr). Plain functions over the World; writes run in w.tx().
import { randomBytes } from 'node:crypto';
import type { World } from './world.js';
import type { StoredFile } from './files.js';

export interface AlbumRow {
  id: number;
  albumid: string;
  user_id: number;
  classid: number;
  name: string;
  descr: string;
  priv: number;
  question: string;
  answer: string;
  createtime: number;
}

export interface PhotoRow {
  id: number;
  album_id: number;
  lloc: string;
  sloc: string;
  name: string;
  descr: string;
  file_key: string;
  width: number;
  height: number;
  uploaded_time: number;
}

export interface TenpayAddressRow {
  id: number;
  user_id: number;
  region_id: number;
  used_count: number;
  name: string;
  tel: string;
  zipcode: string;
  mobile: string;
  street: string;
  lastuse_time: string;
  mod_time: string;
  create_time: string;
}

/** An album with its photo count and newest photo (the cover). */
export interface AlbumSummary extends AlbumRow {
  picnum: number;
  cover_key: string | null;
}

/** A user may own at most this many albums (add_album, wiki). */
export const MAX_ALBUMS = 10;
/** Default albums upload_pic falls back to when no albumid is given. */
export const DEFAULT_PC_ALBUM = '贴图相册';
export const DEFAULT_MOBILE_ALBUM = '手机相册';

const upperHex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();

const SUMMARY_SQL = `SELECT a.*,
    (SELECT COUNT(*) FROM photos p WHERE p.album_id = a.id) AS picnum,
    (SELECT p.file_key FROM photos p WHERE p.album_id = a.id ORDER BY p.uploaded_time DESC, p.id DESC LIMIT 1) AS cover_key
  FROM albums a`;

/** The user's albums, oldest first (the default album is created first). */
export function listAlbums(w: World, userId: number): AlbumSummary[] {
  return w.db.prepare(`${SUMMARY_SQL} WHERE a.user_id = ? ORDER BY a.createtime, a.id`).all(userId) as AlbumSummary[];
}

export function albumById(w: World, albumid: string): AlbumSummary | undefined {
  return w.db.prepare(`${SUMMARY_SQL} WHERE a.albumid = ?`).get(albumid) as AlbumSummary | undefined;
}

export function countAlbums(w: World, userId: number): number {
  return (w.db.prepare('SELECT COUNT(*) AS n FROM albums WHERE user_id = ?').get(userId) as { n: number }).n;
}

export interface NewAlbum {
  name: string;
  desc?: string;
  priv?: number;
  question?: string;
  answer?: string;
  classid?: number;
}

/**
 * Creates an album. Returns undefined when the user already owns MAX_ALBUMS albums
 * (checked inside the transaction, so concurrent creations cannot overshoot).
 */
export function createAlbum(w: World, userId: number, a: NewAlbum): AlbumSummary | undefined {
  return w.tx(() => {
    if (countAlbums(w, userId) >= MAX_ALBUMS) return undefined;
    const albumid = upperHex(12);
    w.db
      .prepare('INSERT INTO albums (albumid, user_id, classid, name, descr, priv, question, answer, createtime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(albumid, userId, a.classid ?? 100, a.name, a.desc ?? '', a.priv ?? 1, a.question ?? '', a.answer ?? '', w.now());
    return albumById(w, albumid);
  });
}

/**
 * The album upload_pic puts a picture in when no albumid is given: the user's album
 * of that name, created when missing (the default albums do not count against MAX_ALBUMS).
 */
export function defaultAlbum(w: World, userId: number, mobile: boolean): AlbumSummary {
  const name = mobile ? DEFAULT_MOBILE_ALBUM : DEFAULT_PC_ALBUM;
  return w.tx(() => {
    const row = w.db.prepare('SELECT albumid FROM albums WHERE user_id = ? AND name = ? ORDER BY createtime, id LIMIT 1').get(userId, name) as { albumid: string } | undefined;
    if (row) return albumById(w, row.albumid)!;
    const albumid = upperHex(12);
    w.db
      .prepare('INSERT INTO albums (albumid, user_id, classid, name, descr, priv, createtime) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(albumid, userId, mobile ? 101 : 100, name, '', 1, w.now());
    return albumById(w, albumid)!;
  });
}

/** Photos of an album, newest first. */
export function listPhotos(w: World, albumRowId: number): PhotoRow[] {
  return w.db.prepare('SELECT * FROM photos WHERE album_id = ? ORDER BY uploaded_time DESC, id DESC').all(albumRowId) as PhotoRow[];
}

/** Adds a stored picture to an album; lloc is 32 upper-case hex, sloc its first 16 (as seeded). */
export function addPhoto(w: World, albumRowId: number, file: StoredFile, name: string, desc: string): PhotoRow {
  return w.tx(() => {
    const lloc = upperHex(16);
    const r = w.db
      .prepare('INSERT INTO photos (album_id, lloc, sloc, name, descr, file_key, width, height, uploaded_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(albumRowId, lloc, lloc.slice(0, 16), name, desc, file.key, file.width, file.height, w.now());
    return w.db.prepare('SELECT * FROM photos WHERE id = ?').get(Number(r.lastInsertRowid)) as PhotoRow;
  });
}

/**
 * The user's Tenpay addresses, newest first, with `index` = 1-based position in creation
 * order (so the newest carries the highest index, as in the wiki example).
 */
export function tenpayAddresses(w: World, userId: number, offset: number, limit: number): (TenpayAddressRow & { idx: number })[] {
  return w.db
    .prepare(
      `SELECT t.*, (SELECT COUNT(*) FROM tenpay_addresses u WHERE u.user_id = t.user_id AND u.id <= t.id) AS idx
       FROM tenpay_addresses t WHERE t.user_id = ? ORDER BY t.id DESC LIMIT ? OFFSET ?`,
    )
    .all(userId, limit, offset) as (TenpayAddressRow & { idx: number })[];
}
