import { createHash, randomBytes } from 'node:crypto';

/** 32 upper-case hex characters, the shape of every QQ Connect token, code and openid. */
export const hex32 = (): string => randomBytes(16).toString('hex').toUpperCase();
/** 32 lower-case hex, the shape of open.t.qq.com OAuth 1.0a tokens and secrets. */
export const hex32lower = (): string => randomBytes(16).toString('hex');

/** openid is stable for (app, user): derived, so fixtures can be documented. */
export const deriveOpenid = (appid: string, unionid: string): string =>
  createHash('md5').update(`${appid}:${unionid}`).digest('hex').toUpperCase();

export const md5hex = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');
