// open.t.qq.com ht/*: ids (T55, topic texts → ids) and info (T56, ids → counters).
// Topic ids are digit strings on the wire; texts are matched exactly, with or without the
// surrounding `#…#`. Texts / ids that name no topic are left out of `info`.
import * as p from '../../server/params.js';
import type { FastifyInstance } from 'fastify';
import { registerAll, type ApiRoute } from '../../server/api.js';
import { badParam } from '../../server/errors.js';
import { topicByText, topicInfos } from '../../db/topics.js';
import { array, digits, int, object, str } from '../../server/schemas.js';

/** ht/info: "最多15个". */
export const HT_INFO_MAX = 15;
/** ht/ids: the document gives no limit; as many as friends/check takes. */
export const HT_IDS_MAX = 30;

const routes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/ht/ids',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.list('httexts', HT_IDS_MAX, { description: 'topic texts', example: (e) => e.topic })],
    data: object({ info: array(object({ id: digits('the topic id'), text: str() }), 'texts that name no topic are left out') }),
    handler: (ctx) => {
      const texts = [...new Set(ctx.args.list('httexts', HT_IDS_MAX).map((s) => s.replace(/^#(.*)#$/s, '$1').trim()).filter(Boolean))];
      if (texts.length === 0) throw badParam('error httexts param: empty list');
      const info: { id: string; text: string }[] = [];
      for (const text of texts) {
        const t = topicByText(ctx.world, text);
        if (t) info.push({ id: String(t.id), text: t.text });
      }
      return { info };
    },
  },
  {
    method: 'GET',
    url: '/api/ht/info',
    envelope: 'weibo',
    auth: 'weibo',
    params: [p.list('ids', HT_INFO_MAX, { description: 'topic ids', item: '[1-9][0-9]{0,14}', example: (e) => e.topicId })],
    data: object({ info: array(object({ favnum: int(), id: digits(), text: str(), tweetnum: int() }), 'ids that name no topic are left out') }),
    handler: (ctx) => {
      const raw = ctx.args.list('ids', HT_INFO_MAX);
      const ids = raw.map((s) => {
        if (!/^\d{1,19}$/.test(s) || !Number.isSafeInteger(Number(s))) throw badParam(`error ids param: ${JSON.stringify(s)} is not a topic id`);
        return Number(s);
      });
      return {
        info: topicInfos(ctx.world, [...new Set(ids)]).map((t) => ({ favnum: t.favnum, id: String(t.id), text: t.text, tweetnum: t.tweetnum })),
      };
    },
  },
];

export default function register(app: FastifyInstance): void {
  registerAll(app, routes);
}
