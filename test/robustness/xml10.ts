// A strict XML 1.0 check for answers: fast-xml-parser's XMLValidator (well-formedness) plus the
// characters XML 1.0 §2.2 forbids, which that validator lets through.
import { XMLValidator } from 'fast-xml-parser';

const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** undefined when `doc` is an XML 1.0 document, else what is wrong with it. */
export function xml10Problem(doc: string): string | undefined {
  const m = FORBIDDEN.exec(doc);
  if (m) return `forbidden character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at ${m.index}`;
  const v = XMLValidator.validate(doc);
  return v === true ? undefined : `not well-formed: ${v.err.code} ${v.err.msg} (line ${v.err.line})`;
}
