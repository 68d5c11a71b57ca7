import type { World } from './world.js';
import { md5hex } from './ids.js';

export interface StoredFile {
  key: string;
  mime: string;
  bytes: Buffer;
  width: number;
  height: number;
}

/** Recognises the picture formats the APIs accept by their magic bytes. */
export function sniffImage(buf: Buffer): { mime: string; width: number; height: number } | undefined {
  if (buf.length >= 24 && buf.readUInt32BE(0) === 0x89504e47) {
    return { mime: 'image/png', width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  }
  if (buf.length >= 10 && buf.toString('latin1', 0, 4) === 'GIF8') {
    return { mime: 'image/gif', width: buf.readUInt16LE(6), height: buf.readUInt16LE(8) };
  }
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
    // walk JPEG segments to the first SOFn for the size
    let i = 2;
    while (i + 9 < buf.length) {
      if (buf[i] !== 0xff) break;
      const marker = buf[i + 1];
      const len = buf.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { mime: 'image/jpeg', height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
      }
      i += 2 + len;
    }
    return { mime: 'image/jpeg', width: 0, height: 0 };
  }
  if (buf.length >= 26 && buf.toString('latin1', 0, 2) === 'BM') {
    return { mime: 'image/bmp', width: buf.readInt32LE(18), height: Math.abs(buf.readInt32LE(22)) };
  }
  if (buf.length >= 6 && buf.readUInt32BE(0) === 0x00000100) {
    return { mime: 'image/x-icon', width: buf[6] || 256, height: buf[7] || 256 };
  }
  return undefined;
}

export class FileStore {
  constructor(private readonly w: World) {}

  /** Stores a picture under its content hash; returns undefined when it is not an image. */
  savePicture(bytes: Buffer, createdAt?: number): StoredFile | undefined {
    const kind = sniffImage(bytes);
    if (!kind) return undefined;
    const key = md5hex(bytes);
    this.w.db
      .prepare('INSERT OR IGNORE INTO files (key, mime, bytes, width, height, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key, kind.mime, bytes, kind.width, kind.height, createdAt ?? this.w.now());
    return { key, bytes, ...kind };
  }

  get(key: string): StoredFile | undefined {
    return this.w.db.prepare('SELECT key, mime, bytes, width, height FROM files WHERE key = ?').get(key) as StoredFile | undefined;
  }
}
