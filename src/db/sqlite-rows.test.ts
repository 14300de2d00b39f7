import { describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { objectRows } from './sqlite-rows.js';

function db(): BetterSqlite3.Database {
  const d = new BetterSqlite3(':memory:');
  d.exec(`create table t (seq integer primary key, id text, amount text, n real, b blob, nada text);
          insert into t values (1, 'a', '0.1', 1.5, x'0102', null), (2, 'é "q"', '1234.000000000000000001', -2, null, null);`);
  return d;
}

describe('objectRows', () => {
  it("returns the objects better-sqlite3 makes: same keys in the same order, same values", () => {
    const d = db();
    for (const q of ['select * from t order by seq', 'select id, seq as "1", amount, n, b, nada from t', 'select seq, seq as seq from t', "select 1 as a, 'x' as a, null as b", 'select * from t where seq > 5']) {
      const native = d.prepare(q).all();
      const ours = objectRows(d.prepare(q)).all([]);
      expect(ours).toEqual(native);
      expect(ours.map((r) => Object.keys(r as object))).toEqual(native.map((r) => Object.keys(r as object)));
      expect(ours.every((r) => Object.getPrototypeOf(r) === Object.prototype)).toBe(true);
    }
  });

  it('binds parameters, iterates, and leaves writes and odd column names to better-sqlite3', () => {
    const d = db();
    const byId = objectRows(d.prepare('select seq, id from t where seq >= ? order by seq'));
    expect(byId.all([2])).toEqual([{ seq: 2, id: 'é "q"' }]);
    const it = byId.iterate([1]);
    expect(byId.busy).toBe(true);
    expect(it.next().value).toEqual({ seq: 1, id: 'a' });
    expect([...it]).toEqual([{ seq: 2, id: 'é "q"' }]);
    expect(byId.busy).toBe(false);
    // an iteration left early releases the statement
    const early = byId.iterate([1]);
    for (const row of early) {
      expect(row).toEqual({ seq: 1, id: 'a' });
      break;
    }
    expect(byId.busy).toBe(false);

    const insert = objectRows(d.prepare('insert into t (id) values (?)'));
    expect(insert.reader).toBe(false);
    expect(insert.run(['z'])).toMatchObject({ changes: 1 });
    // a column named __proto__ would set the prototype in an object literal: better-sqlite3 builds those rows
    const q = "select id as __proto__, seq from t where seq = 1";
    const [ours] = objectRows(d.prepare(q)).all([]) as object[];
    const [native] = d.prepare(q).all() as object[];
    expect(Object.getOwnPropertyNames(ours)).toEqual(Object.getOwnPropertyNames(native));
    expect(Object.getPrototypeOf(ours)).toBe(Object.getPrototypeOf(native));
  });
});
