// graph.qq.com APIs retired on 2014-03-31 (G22): share/add_share and blog/add_one_blog.
// Any method, no authentication: every call answers the documented "offline" notice
// (seed 000 特别声明) as a graph error, HTTP 200 — never a bare 404.
import type { FastifyInstance } from 'fastify';
import { registerRefusal } from '../../server/api.js';
import { ApiError } from '../../server/errors.js';

/**
 * ret -9 is the Tencent open platform's "API does not exist" code (reference §3.2,
 * platform negative codes); the real server's answer for these paths is unconfirmed.
 */
export const RETIRED_RET = -9;

export const RETIRED: Record<string, string> = {
  '/share/add_share': 'add_share',
  '/blog/add_one_blog': 'add_one_blog',
};

export const retiredMessage = (api: string) =>
  `${api}接口已于2014.3.31正式下线。请PC网站调用PC空间分享组件,移动端下载最新版本的SDK后调用shareToQQ、shareToQzone接口。`;

export default function register(app: FastifyInstance): void {
  for (const [url, api] of Object.entries(RETIRED)) {
    registerRefusal(app, { url, envelope: 'graph', method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'], error: new ApiError(RETIRED_RET, retiredMessage(api)) });
  }
}
