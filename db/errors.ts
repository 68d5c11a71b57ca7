// The store's own refusals: the db layer knows nothing of wire envelopes. server/errors.ts
// (apiErrorOf) maps these to the answer of whoever called: the API envelope's ret/errcode/msg,
// the control plane's {error} JSON.

/** A refusal of the store: what kind, and open.t.qq.com's errcode for it (the wire reuses the table). */
export class StoreError extends Error {
  constructor(
    readonly kind: 'bad_param' | 'write_refused' | 'not_found',
    message: string,
    readonly errcode: number,
  ) {
    super(message);
  }
}

/** A parameter the store cannot take (an empty content, an unknown user name): ret 1 on the wire. */
export const badParam = (msg: string, errcode = 1) => new StoreError('bad_param', msg, errcode);
/** A write refused by a rule (dirty words, posting speed, blacklists…), with its errcode: ret 4. */
export const writeRefused = (errcode: number, msg: string) => new StoreError('write_refused', msg, errcode);
/** A record the write names does not exist: ret 4, errcode 6 (reference §7.3). */
export const notFound = (msg: string) => new StoreError('not_found', msg, 6);

/** Data handed to the store is unusable (an import naming an unknown table, a broken reference). */
export class InvalidData extends Error {}
