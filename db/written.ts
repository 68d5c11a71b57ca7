// Which tables a writing statement may change: its own target, the tables the target's triggers
// write, and the children its foreign keys' actions (ON DELETE / ON UPDATE CASCADE, SET NULL,
// SET DEFAULT) write, transitively, read off the store's own schema. Every answer over-states
// rather than under-states: what cannot be read with certainty is `undefined`, "any table".
import type Database from 'better-sqlite3';

/** A write's keyword and target: `INSERT [OR …] INTO t`, `REPLACE INTO t`, `UPDATE [OR …] t`, `DELETE FROM t`. */
const WRITE = /\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+("?)(\w+)\1(?=[\s(;]|$)/gi;
const KEYWORD = /\b(?:INSERT|REPLACE|UPDATE|DELETE)\b/gi;
/** A leading comment (the BOOKKEEPING mark) and blanks. */
const LEAD = /^(?:\s+|\/\*[\s\S]*?\*\/)*/;
/** An upsert's `DO UPDATE SET`: it writes the INSERT's own table. */
const UPSERT = /\bDO\s+UPDATE\s+SET\b/gi;

/**
 * The table a statement's SQL writes when it is one plain INSERT / REPLACE / UPDATE / DELETE of an
 * unqualified table and writes nothing else (no CTE, no second write keyword); otherwise undefined.
 */
export function targetOf(sql: string): string | undefined {
  const s = sql.replace(LEAD, '').replace(UPSERT, 'DO SET');
  const m = new RegExp(WRITE).exec(s);
  if (!m || m.index !== 0) return undefined;
  // INSERT … SELECT reads other tables (fine); a write keyword anywhere else is not understood
  if ((s.match(KEYWORD) ?? []).length !== 1) return undefined;
  return m[2].toLowerCase();
}

/** For each table, every table a write to it may change (itself included); undefined: any. */
export type WriteGraph = Map<string, string[] | undefined>;

/** `prepare` compiles without the store's statement cache (db/store.ts): these reads count nowhere. */
export function writeGraph(prepare: (sql: string) => Database.Statement): WriteGraph {
  const direct = new Map<string, Set<string> | undefined>();
  const edge = (from: string, to: string[] | undefined) => {
    if (!direct.has(from)) direct.set(from, new Set([from]));
    const set = direct.get(from);
    if (!set) return;
    if (!to) direct.set(from, undefined);
    else for (const t of to) set.add(t);
  };
  const tables = prepare("SELECT lower(name) AS name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  for (const { name } of tables) edge(name, []);
  const triggers = prepare("SELECT lower(tbl_name) AS tbl, sql FROM sqlite_master WHERE type = 'trigger'").all() as { tbl: string; sql: string | null }[];
  for (const { tbl, sql } of triggers) {
    const body = sql ? /\bBEGIN\b([\s\S]*)$/i.exec(sql)?.[1]?.replace(UPSERT, 'DO SET') : undefined;
    if (body === undefined) {
      edge(tbl, undefined);
      continue;
    }
    const writes = [...body.matchAll(new RegExp(WRITE))].map((m) => m[2].toLowerCase());
    // every write keyword of the body must be one read here, or the trigger writes "anything"
    edge(tbl, writes.length === (body.match(KEYWORD) ?? []).length ? writes : undefined);
  }
  for (const { name } of tables) {
    const fks = prepare(`PRAGMA foreign_key_list("${name.replaceAll('"', '""')}")`).all() as { table: string; on_update: string; on_delete: string }[];
    for (const fk of fks) {
      const acts = (a: string) => a !== 'NO ACTION' && a !== 'RESTRICT';
      if (acts(fk.on_delete) || acts(fk.on_update)) edge(fk.table.toLowerCase(), [name]);
    }
  }
  const graph: WriteGraph = new Map();
  for (const start of direct.keys()) {
    const seen = new Set<string>();
    const todo = [start];
    let any = false;
    while (todo.length && !any) {
      const t = todo.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      const next = direct.has(t) ? direct.get(t) : new Set<string>();
      if (!next) any = true;
      else for (const n of next) if (!seen.has(n)) todo.push(n);
    }
    graph.set(start, any ? undefined : [...seen]);
  }
  return graph;
}
