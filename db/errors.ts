// The store's own refusals: the db layer knows nothing of wire envelopes; the server maps these
// to the answer of whoever called (the control plane's {error} JSON, an API's ret/errcode).

/** Data handed to the store is unusable (an import naming an unknown table, a broken reference). */
export class InvalidData extends Error {}
