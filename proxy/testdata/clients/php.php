<?php
// One client of the proxy's compatibility matrix: PHP's mysqli (prepared
// statements, the binary protocol) or PDO (with server-side prepares off,
// PDO's default, parameters go in the text), named by argv[1].
// Prints "version V", then "ok CHECK" or "fail CHECK: why" per check.
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$api = $argv[1];
$H = getenv("SL_HOST"); $P = (int)getenv("SL_PORT"); $U = getenv("SL_USER"); $PW = getenv("SL_PASSWORD"); $DB = getenv("SL_DB");
$base = (int)getenv("SL_BASE");
echo "version ", $api === "mysqli" ? mysqli_get_client_info() : "PDO " . PHP_VERSION, "\n";

function check($name, $fn) {
    try { $fn(); echo "ok $name\n"; }
    catch (Throwable $e) { echo "fail $name: ", str_replace("\n", " ", get_class($e) . " " . $e->getMessage()), "\n"; }
}
function must($cond, $what) { if (!$cond) throw new Exception("unexpected: " . json_encode($what)); }

$db = null;
check("auth", function () use (&$db, $api, $H, $P, $U, $PW, $DB) {
    if ($api === "mysqli") { $db = new mysqli($H, $U, $PW, $DB, $P); }
    else { $db = new PDO("mysql:host=$H;port=$P;dbname=$DB", $U, $PW, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]); }
});
if ($db === null) exit(0);

// q runs a statement with parameters and returns all rows (numeric arrays).
$q = function ($sql, $params = []) use (&$db, $api) {
    if ($api === "mysqli") {
        $st = $db->prepare($sql);
        if ($params) {
            $types = "";
            foreach ($params as $p) { $types .= is_int($p) ? "i" : (is_float($p) ? "d" : (is_null($p) ? "s" : "s")); }
            $st->bind_param($types, ...$params);
        }
        $st->execute();
        $res = $st->get_result();
        return $res ? $res->fetch_all(MYSQLI_NUM) : [];
    }
    $st = $db->prepare($sql);
    $st->execute($params);
    return $st->columnCount() ? $st->fetchAll(PDO::FETCH_NUM) : [];
};

check("types", function () use ($q, $base) {
    $q("INSERT INTO clientmatrix (id, i, f, d, s, n, dt, b) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [$base, 42, 1.5, "12.34", "it's", null, "2024-02-29", "\x00\xff"]);
    $r = $q("SELECT /*+ scalelab_consistency=strong */ i, f, d, s, n, dt, b FROM clientmatrix WHERE id = ?", [$base])[0];
    must((int)$r[0] === 42 && (float)$r[1] === 1.5 && $r[2] === "12.34" && $r[3] === "it's" && $r[4] === null && $r[5] === "2024-02-29" && $r[6] === "\x00\xff", $r);
});
check("shard_key", function () use ($q, $base) {
    for ($k = 1; $k <= 5; $k++) $q("INSERT INTO clientmatrix (id, s) VALUES (?, ?)", [$base + $k, "m$base"]);
    for ($k = 1; $k <= 5; $k++) { $r = $q("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE id = ?", [$base + $k]); must((int)$r[0][0] === $base + $k, $r); }
});
check("scatter", function () use (&$db, $q, $base, $api) {
    $r = $q("SELECT /*+ scalelab_consistency=strong */ COUNT(*), SUM(id) FROM clientmatrix WHERE s = ?", ["m$base"])[0];
    must((int)$r[0] === 5 && (int)$r[1] === 5 * $base + 15, $r);
    $r = $q("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE s = ? ORDER BY id DESC LIMIT 2", ["m$base"]);
    must((int)$r[0][0] === $base + 5 && (int)$r[1][0] === $base + 4, $r);
    if ($api === "mysqli") {
        // A NULL bound as a double is a DOUBLE's NULL to the server:
        // COALESCE(?, 1) / 3 is the DOUBLE 1/3, not the DECIMAL 0.3333,
        // over several shards too.
        $st = $db->prepare("SELECT /*+ scalelab_consistency=strong */ COALESCE(?, 1) / 3 FROM clientmatrix WHERE s = ? ORDER BY id LIMIT 1");
        $n = null; $s = "m$base";
        $st->bind_param("ds", $n, $s);
        $st->execute();
        $r = $st->get_result()->fetch_all(MYSQLI_NUM);
        must($r[0][0] === 1 / 3, $r);
    }
});
check("transaction", function () use (&$db, $q, $base, $api) {
    if ($api === "mysqli") { $db->begin_transaction(); } else { $db->beginTransaction(); }
    $q("INSERT INTO clientmatrix (id, s) VALUES (?, 'rolled back')", [$base + 10]);
    $db->rollback();
    if ($api === "mysqli") { $db->begin_transaction(); } else { $db->beginTransaction(); }
    $q("INSERT INTO clientmatrix (id, s) VALUES (?, 'committed')", [$base + 11]);
    $db->commit();
    $r = $q("SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM clientmatrix WHERE id IN (?, ?)", [$base + 10, $base + 11]);
    must((int)$r[0][0] === 1, $r);
});
$expectError = function ($sql, $code) use (&$db, $api) {
    try { $api === "mysqli" ? $db->query($sql) : $db->query($sql); }
    catch (mysqli_sql_exception $e) { must($e->getCode() === $code, $e->getCode()); return; }
    catch (PDOException $e) { must((int)$e->errorInfo[1] === $code, $e->errorInfo); return; }
    throw new Exception("no error");
};
check("server_error", function () use ($expectError) { $expectError("SELECT nope FROM clientmatrix WHERE id = 1", 1054); });
check("refused_shape", function () use ($expectError) { $expectError("SELECT a.id FROM clientmatrix a JOIN clientmatrix b ON a.i = b.i", 1235); });
check("procedure", function () use (&$db, $api) {
    $sets = [];
    if ($api === "mysqli") {
        $db->multi_query("CALL two()");
        do { if ($res = $db->store_result()) { $sets[] = $res->fetch_all(MYSQLI_NUM); $res->free(); } } while ($db->more_results() && $db->next_result());
    } else {
        $st = $db->query("CALL two()");
        do { if ($st->columnCount()) $sets[] = $st->fetchAll(PDO::FETCH_NUM); } while ($st->nextRowset());
    }
    must(count($sets) === 2 && (int)$sets[0][0][0] === 1 && (int)$sets[1][0][0] === 2, $sets);
});
