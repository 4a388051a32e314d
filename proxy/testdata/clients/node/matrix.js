// One client of the proxy's compatibility matrix: Node.js's mysql2, with
// query() (text, parameters escaped into the text by the library) or
// execute() (server-side prepared statements, the binary protocol), named
// by the first argument. Prints "version V", then "ok CHECK" or
// "fail CHECK: why" per check.
'use strict';
const mysql = require('mysql2/promise');
const mode = process.argv[2] === 'execute' ? 'execute' : 'query';
const base = Number(process.env.SL_BASE);
console.log('version ' + require('mysql2/package.json').version);

async function check(name, fn) {
  try {
    await fn();
    console.log('ok ' + name);
  } catch (e) {
    console.log('fail ' + name + ': ' + String(e && e.message || e).replace(/\n/g, ' '));
  }
}

function must(cond, what) {
  if (!cond) throw new Error('unexpected: ' + JSON.stringify(what));
}

(async () => {
  let db = null;
  await check('auth', async () => {
    db = await mysql.createConnection({
      host: process.env.SL_HOST, port: Number(process.env.SL_PORT), user: process.env.SL_USER,
      password: process.env.SL_PASSWORD, database: process.env.SL_DB,
      supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, decimalNumbers: false,
    });
  });
  if (!db) return;
  const q = async (sql, params) => (await db[mode](sql, params || []))[0];

  await check('types', async () => {
    await q('INSERT INTO clientmatrix (id, i, f, d, s, n, dt, b) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [base, 42, 1.5, '12.34', "it's", null, '2024-02-29', Buffer.from([0x00, 0xff])]);
    const r = (await q('SELECT /*+ scalelab_consistency=strong */ i, f, d, s, n, dt, b FROM clientmatrix WHERE id = ?', [base]))[0];
    must(r.i === 42 && r.f === 1.5 && r.d === '12.34' && r.s === "it's" && r.n === null && r.dt === '2024-02-29' &&
      Buffer.isBuffer(r.b) && r.b.equals(Buffer.from([0x00, 0xff])), r);
  });
  await check('shard_key', async () => {
    for (let k = 1; k <= 5; k++) await q('INSERT INTO clientmatrix (id, s) VALUES (?, ?)', [base + k, 'm' + base]);
    for (let k = 1; k <= 5; k++) {
      const r = await q('SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE id = ?', [base + k]);
      must(r.length === 1 && String(r[0].id) === String(base + k), r);
    }
  });
  await check('scatter', async () => {
    const r = (await q('SELECT /*+ scalelab_consistency=strong */ COUNT(*) AS n, SUM(id) AS total FROM clientmatrix WHERE s = ?', ['m' + base]))[0];
    must(String(r.n) === '5' && String(r.total) === String(5 * base + 15), r);
    const rows = await q('SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE s = ? ORDER BY id DESC LIMIT 2', ['m' + base]);
    must(rows.map((x) => String(x.id)).join(',') === [base + 5, base + 4].join(','), rows);
  });
  await check('transaction', async () => {
    await db.beginTransaction();
    await q("INSERT INTO clientmatrix (id, s) VALUES (?, 'rolled back')", [base + 10]);
    await db.rollback();
    await db.beginTransaction();
    await q("INSERT INTO clientmatrix (id, s) VALUES (?, 'committed')", [base + 11]);
    await db.commit();
    const r = (await q('SELECT /*+ scalelab_consistency=strong */ COUNT(*) AS n FROM clientmatrix WHERE id IN (?, ?)', [base + 10, base + 11]))[0];
    must(String(r.n) === '1', r);
    // An UPDATE's rows changed, which mysql2 reads off the OK packet's info.
    const res = await q("UPDATE clientmatrix SET s = 'changed' WHERE id IN (?, ?)", [base + 10, base + 11]);
    must(res.affectedRows === 1 && res.changedRows === 1, res);
  });
  const expectError = async (sql, code) => {
    try {
      await q(sql);
    } catch (e) {
      must(e.errno === code, e.errno);
      return;
    }
    throw new Error('no error');
  };
  await check('server_error', () => expectError('SELECT nope FROM clientmatrix WHERE id = 1', 1054));
  await check('refused_shape', () => expectError('SELECT a.id FROM clientmatrix a JOIN clientmatrix b ON a.i = b.i', 1235));
  await check('procedure', async () => {
    // A CALL's answer: its result sets, then the procedure's OK packet.
    const [sets] = await db.query('CALL two()');
    const rows = sets.filter((s) => Array.isArray(s)).map((s) => s.map((r) => Object.values(r)));
    must(JSON.stringify(rows) === '[[[1]],[[2]]]', sets);
  });
  await db.end();
})();
