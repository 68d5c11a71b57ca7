// graph.qq.com photo/*: list_album (G7), upload_pic (G8), add_album (G9), list_photo (G10).
// QZone albums of the calling user; pictures are stored content-addressed and served back
// by routes/pictures.ts under /qzonepic/<key>/<size>.
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute, type Ctx } from '../../server/api.js';
import { ApiError, badParam } from '../../server/errors.js';
import { sniffImage } from '../../db/files.js';
import { photoUrl } from '../pictures.js';
import { array, component, int, object, str } from '../../server/schemas.js';
import {
  addPhoto,
  albumById,
  createAlbum,
  defaultAlbum,
  listAlbums,
  listPhotos,
  MAX_ALBUMS,
  type AlbumSummary,
  type PhotoRow,
} from '../../db/qzone.js';

/** Length in characters (code points), as the wiki's "不能超过N个字符" limits count. */
const chars = (s: string) => [...s].length;

/** An optional text parameter of at most `max` characters ('' when absent). */
function text(ctx: Ctx, name: string, max: number): string {
  const v = ctx.args.str(name) ?? '';
  if (chars(v) > max) throw badParam(`error ${name} param: longer than ${max} characters`);
  return v;
}

/** An optional decimal number within [min, max] (x / y coordinates). */
function coord(ctx: Ctx, name: string, min: number, max: number): void {
  const v = ctx.args.str(name);
  if (v === undefined || v === '') return;
  const n = Number(v.trim());
  if (!/^-?\d+(\.\d+)?$/.test(v.trim()) || n < min || n > max) throw badParam(`error ${name} param: must be a number between ${min} and ${max}`);
}

/** Picture formats upload_pic accepts (title must end in one of these suffixes). */
const PHOTO_MIMES = new Set(['image/jpeg', 'image/gif', 'image/png', 'image/bmp']);
const TITLE_SUFFIX = /\.(jpg|jpeg|gif|png|bmp)$/i;

/** An album of the caller, or a ret 1 refusal naming `albumid`. */
function ownAlbum(ctx: Ctx, albumid: string): AlbumSummary {
  const album = albumById(ctx.world, albumid.trim());
  if (!album) throw badParam('error albumid param: no such album');
  if (album.user_id !== ctx.user.id) throw badParam('error albumid param: the album belongs to another user');
  return album;
}

/** One album as list_album and add_album answer it (the Java SDK's AlbumBean members). */
function albumShape(base: string, a: AlbumSummary) {
  return {
    albumid: a.albumid,
    classid: a.classid,
    createtime: a.createtime,
    desc: a.descr,
    name: a.name,
    priv: a.priv,
    coverurl: a.cover_key ? photoUrl(base, a.cover_key, 'm') : '',
    picnum: a.picnum,
  };
}

const ALBUM_PROPERTIES = {
  albumid: str(),
  classid: int(),
  createtime: int(),
  desc: str(),
  name: str(),
  priv: int('1 public, 3 only me, 4 friends, 5 question'),
  coverurl: str('the cover picture; empty for an empty album'),
  picnum: int(),
};
const ALBUM = component('Album', object(ALBUM_PROPERTIES, { description: 'a QZone album (list_album, add_album)' }));

const PHOTO = component(
  'Photo',
  object({
    sloc: str(),
    lloc: str(),
    name: str(),
    desc: str(),
    updated_time: int(),
    uploaded_time: int(),
    small_url: str(),
    large_image: object({ height: int(), width: int(), url: str() }),
  }, { description: 'a photo of an album (list_photo)' }),
);

function photoShape(base: string, p: PhotoRow) {
  return {
    sloc: p.sloc,
    lloc: p.lloc,
    name: p.name,
    desc: p.descr,
    updated_time: p.uploaded_time,
    uploaded_time: p.uploaded_time,
    small_url: photoUrl(base, p.file_key, 's'),
    large_image: { height: p.height, width: p.width, url: photoUrl(base, p.file_key, 'b') },
  };
}

const routes: ApiRoute[] = [
  {
    method: ['GET', 'POST'],
    url: '/photo/list_album',
    envelope: 'graph',
    auth: 'graph',
    api: 'list_album',
    data: object({ albumnum: int(), album: array(ALBUM) }),
    handler: (ctx) => {
      const albums = listAlbums(ctx.world, ctx.user.id);
      return { albumnum: albums.length, album: albums.map((a) => albumShape(ctx.base, a)) };
    },
  },
  {
    method: 'POST',
    url: '/photo/add_album',
    envelope: 'graph',
    auth: 'graph',
    api: 'add_album',
    // the new album's members beside ret/msg
    data: object(ALBUM_PROPERTIES),
    params: [p.narrow(p.text('albumname', { required: true, description: 'album name, up to 30 characters', example: '模拟器相册' }), { maxLength: 30 }), p.described('albumdesc', { type: 'string', maxLength: 200 }, { description: 'up to 200 characters', example: '周末' }), p.described('priv', { type: 'string', enum: ['1', '3', '4', '5'], default: '1' }, { description: '1 public, 3 only me, 4 friends, 5 question (then question and answer)', example: '1' }), p.described('question', { type: 'string', maxLength: 30 }, { description: 'with priv=5' }), p.described('answer', { type: 'string', maxLength: 30 }, { description: 'with priv=5' })],
    handler: (ctx) => {
      const name = ctx.args.required('albumname').trim();
      if (chars(name) > 30) throw badParam('error albumname param: longer than 30 characters');
      const desc = text(ctx, 'albumdesc', 200);
      const priv = Number(ctx.args.oneOf('priv', ['1', '3', '4', '5'], '1'));
      let question = '';
      let answer = '';
      if (priv === 5) {
        question = ctx.args.required('question');
        answer = ctx.args.required('answer');
        if (chars(question) > 30) throw badParam('error question param: longer than 30 characters');
        if (chars(answer) > 30) throw badParam('error answer param: longer than 30 characters');
      }
      const album = createAlbum(ctx.world, ctx.user.id, { name, desc, priv, question, answer });
      if (!album) throw new ApiError(4, `album limit reached: a user may have at most ${MAX_ALBUMS} albums`);
      return albumShape(ctx.base, album);
    },
  },
  {
    method: 'POST',
    url: '/photo/upload_pic',
    envelope: 'graph',
    auth: 'graph',
    api: 'upload_pic',
    data: object({ albumid: str(), lloc: str(), sloc: str(), large_url: str(), small_url: str(), height: int(), width: int() }),
    params: [p.file('picture', { description: 'the photo (jpg, gif, png or bmp; file name up to 30 characters) as a multipart file part' }), p.described('photodesc', { type: 'string', maxLength: 200 }, { example: '模拟器上传' }), p.described('title', { type: 'string', pattern: '\\.(?:[jJ][pP][eE]?[gG]|[gG][iI][fF]|[pP][nN][gG]|[bB][mM][pP])$' }, { description: 'file name ending .jpg, .gif, .png, .jpeg or .bmp', example: 'photo.png' }), p.described('mobile', { type: 'string', enum: ['0', '1'], default: '0' }), p.described('x', { type: 'number', minimum: 0, maximum: 360 }), p.described('y', { type: 'number', minimum: 0, maximum: 360 }), p.described('needfeed', { type: 'string', enum: ['0', '1'], default: '1' }), p.described('successnum', { type: 'integer', minimum: 0, maximum: 1000, default: 0 }), p.described('picnum', { type: 'integer', minimum: 1, maximum: 1000, default: 1 }), p.described('albumid', { type: 'string' }, { description: 'one of your albums; the default album when absent', example: (e) => e.albumid })],
    handler: (ctx) => {
      const { args, world, user } = ctx;
      const pic = args.upload('picture');
      if (!pic || pic.bytes.length === 0) throw badParam('error picture param: missing (send the picture as a multipart file part named "picture")');
      const kind = sniffImage(pic.bytes);
      if (!kind || !PHOTO_MIMES.has(kind.mime)) throw badParam('error picture param: not a picture (jpg, gif, png or bmp expected)');
      // the multipart parser already refuses bigger files (ret 1 "upload too large"); kept as a guard
      const maxUpload = ctx.req.server.emulatorConfig.maxUpload;
      if (pic.bytes.length > maxUpload) throw badParam(`error picture param: larger than ${maxUpload} bytes`);
      if (chars(pic.filename) > 30) throw badParam('error picture param: file name longer than 30 characters');
      const photodesc = text(ctx, 'photodesc', 200);
      const title = args.str('title') ?? '';
      if (title !== '' && !TITLE_SUFFIX.test(title)) throw badParam('error title param: must end with .jpg, .gif, .png, .jpeg or .bmp');
      const mobile = args.oneOf('mobile', ['0', '1'], '0') === '1';
      coord(ctx, 'x', 0, 360);
      coord(ctx, 'y', 0, 360);
      args.oneOf('needfeed', ['0', '1'], '1');
      args.int('successnum', { min: 0, max: 1000, def: 0 });
      args.int('picnum', { min: 1, max: 1000, def: 1 });
      const albumid = args.str('albumid') ?? '';
      const { album, file, photo } = world.tx(() => {
        const album = albumid.trim() ? ownAlbum(ctx, albumid) : defaultAlbum(world, user.id, mobile);
        const file = world.files.savePicture(pic.bytes);
        if (!file) throw badParam('error picture param: not a picture (jpg, gif, png or bmp expected)');
        return { album, file, photo: addPhoto(world, album.id, file, title || pic.filename, photodesc) };
      });
      return {
        albumid: album.albumid,
        lloc: photo.lloc,
        sloc: photo.sloc,
        large_url: photoUrl(ctx.base, file.key, 'b'),
        small_url: photoUrl(ctx.base, file.key, 's'),
        height: file.height,
        width: file.width,
      };
    },
  },
  {
    method: ['GET', 'POST'],
    url: '/photo/list_photo',
    envelope: 'graph',
    auth: 'graph',
    api: 'list_photo',
    data: object({ total: int(), photos: array(PHOTO) }),
    params: [p.text('albumid', { required: true, description: 'one of your albums (list_album)', example: (e) => e.albumid })],
    handler: (ctx) => {
      const album = ownAlbum(ctx, ctx.args.required('albumid'));
      const photos = listPhotos(ctx.world, album.id);
      return { total: photos.length, photos: photos.map((p) => photoShape(ctx.base, p)) };
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
