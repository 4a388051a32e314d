-- A third hand-written differential corpus for the sharding router, by a
-- tester who did not write it. Same format and tags as corpus.sql and
-- corpus2.sql (see readCorpus in corpus_test.go); TestHandCorpus3 in
-- corpus_test.go runs it. Its angles, each thin in the first two corpora:
--   1-2. shard-key comparisons whose type the rest of the predicate decides
--        (an IN list mixing strings and integers above 2^53, which MariaDB
--        compares per element), the key spelled as an expression, a double,
--        a decimal or under operators that hide it, and non-key columns
--        that share a key's name or alias;
--   3.   values the server prints alike but sorts and groups apart (FLOAT
--        printed to 6 digits, DOUBLE with fixed decimals, temporal values
--        with fractions finer than their decimals), and the reverse: an
--        AVG the server rounds to its decimals;
--   4.   per-statement state that each shard would start afresh (ROWNUM(),
--        RAND(N) with a seed: both deterministic on one server);
--   5.   the names the server gives unaliased columns;
--   6.   merged aggregates: NULL and empty groups, ORDER BY an aggregate
--        that is not selected, GROUP BY without ORDER BY under a LIMIT,
--        AVG of integers, decimals and doubles, DISTINCT aggregates;
--   7.   common shapes the router may refuse ([either]: refusing is fine);
--   8.   ORDER BY with NULLs, ties and LIMIT/OFFSET (only sort-key columns
--        selected where the key has ties), collation ties, big decimals;
--   9.   operator precedence that a reprinted scatter statement must keep,
--        and MariaDB-only functions;
--   10.  JSON functions over the scatter;
--   11-13. pinned HAVING, GROUP_CONCAT, windows, UNION and subqueries,
--        pinned joins, SELECT without FROM.
-- RAND(N) and ROWNUM() appear only where one server answers
-- deterministically: counts over the whole table, or rows read in key order.
-- The last section holds the statements that got a wrong answer.
-- Shard placement under the hash vindex (4 shards), used below:
--   ids 1, 2, 24, 26, 31, 32, 33, 39, 43, 45, 18446744073709551615 -> shard 0
--   ids 3, 5, 9, 10, 13, 15, 16, 17, 21, 27, 30                    -> shard 1
--   ids 11, 14, 18, 19, 20, 22, 23, 28, 4294967296,
--       9223372036854775808                                         -> shard 2
--   ids 4, 6, 7, 8, 12, 25, 29, 34, 9223372036854775807,
--       9223372036854775813                                         -> shard 3
-- 9223372036854775807, 9223372036854775808 and 9223372036854775813 are one
-- double (2^63): any comparison as doubles matches all three.

-- ======================================================================
-- 1. Key comparisons whose type the rest of the IN list decides
-- ======================================================================
-- The router pins an integer literal exactly and sends each shard its own
-- keys as strings; a string in the list, or the rewritten list itself,
-- must not turn the comparison into one of doubles.
SELECT id FROM users WHERE id IN (9223372036854775807, 4, 5)
SELECT id FROM users WHERE id IN (9223372036854775813, 7, 3)
SELECT COUNT(*) FROM users WHERE id IN (4, 9223372036854775807, 1)
SELECT id FROM users WHERE id IN (9223372036854775808, 11, 5)
SELECT id FROM users WHERE id IN ('2x', 9223372036854775807)
SELECT id FROM users WHERE id IN ('7x', 9223372036854775807)
SELECT id FROM users WHERE id IN ('5', 9223372036854775807)
SELECT id FROM users WHERE id IN (' 5', 9223372036854775808)
SELECT id FROM users WHERE id IN ('0x5', 9223372036854775807, 1)
SELECT id FROM users WHERE id IN (' 6abc', 5)
SELECT id FROM users WHERE id IN ('  6x', 3)
SELECT id FROM users WHERE id IN ('9223372036854775807', '1x')
SELECT id FROM users WHERE id = 9223372036854775807 AND id IN ('1x', 9223372036854775807)
SELECT COUNT(*) FROM images WHERE user_id IN ('1x', 9223372036854775807)

-- ======================================================================
-- 2. Shard key spelled as expressions, doubles, decimals
-- ======================================================================
-- Each may be pinned, or scattered; either way the same rows.
SELECT id, name FROM users WHERE id = 3 + 2
SELECT id FROM users WHERE id = 5.0
SELECT id FROM users WHERE id = '4.99999999999999999999'
SELECT id FROM users WHERE id = -0
SELECT id FROM users WHERE id = CAST(-1 AS UNSIGNED)
SELECT id FROM users WHERE id = ~0
SELECT id FROM users WHERE id = 9223372036854775807e0
SELECT id FROM users WHERE id = 9223372036854775807.0
SELECT id FROM users WHERE id = 18446744073709551615e0
SELECT id FROM users WHERE id IN (9223372036854775807e0, 1)
SELECT id FROM users WHERE id BETWEEN 9223372036854775807 AND 9223372036854775808
SELECT id FROM users WHERE id = 5 OR id = 9223372036854775808
SELECT COUNT(*) FROM users WHERE id = 5 OR TRUE
SELECT COUNT(*) FROM users WHERE id = 5 XOR 1
SELECT COUNT(*) FROM users WHERE id = 5 IS NOT TRUE
SELECT COUNT(*) FROM users WHERE id = 5 = 0
SELECT COUNT(*) FROM users WHERE NOT id <> 5
SELECT COUNT(*) FROM users WHERE id IN (5, 7) = 0
SELECT id FROM users WHERE id IN (5, 7) AND id IN (7, 9)
SELECT id FROM users WHERE id = 5 AND id = 5.0
SELECT id FROM users WHERE id = 5 OR id IS NULL
SELECT id FROM users WHERE id LIKE '5'
SELECT id FROM users WHERE ((id)) IN ((5), (7))
SELECT COUNT(*) FROM users WHERE id IN (5, 5, 5, 7, 7, 3)
SELECT id FROM users WHERE ID = 5
[either] SELECT id FROM users WHERE id = (SELECT 5)
-- Columns named like a key that are not this table's key.
SELECT id FROM likes WHERE id = 5
SELECT COUNT(*) FROM likes WHERE id IN (1, 2, 3, 4, 5)
SELECT image_id FROM likes AS images WHERE images.id = 5
SELECT id FROM images AS likes WHERE likes.id = 5
SELECT COUNT(*) FROM likes l WHERE l.user_id = 7
SELECT COUNT(*) FROM images WHERE id = user_id
SELECT COUNT(*) FROM images WHERE id = parent_id + 0
[ordered] SELECT id FROM users WHERE id BETWEEN 80 AND 9223372036854775808 ORDER BY id DESC

-- ======================================================================
-- 3. Values that print alike but compare apart
-- ======================================================================
-- The merge sees the text the server sends; the server sorts by the value.
-- Controls that must match (the failing shapes are in the last section):
-- MIN and MAX print the winner, GROUP BY and DISTINCT of a DOUBLE with
-- fixed decimals round into the temporary table, SEC_TO_TIME and ADDTIME
-- round to their decimals, a DECIMAL quotient sorts rounded.
SELECT MIN(CAST(1000 + id / 10000 AS FLOAT)), MAX(CAST(1000 + id / 10000 AS FLOAT)) FROM images
SELECT ROUND(IF(id % 2 = 0, 0.1e0, 0.3e0), 1) + ROUND(IF(id % 2 = 0, 0.2e0, 0e0), 1) AS v, COUNT(*) FROM images GROUP BY 1
[ordered] SELECT id, SEC_TO_TIME(IF(id % 2 = 0, 1/3, 0.3333)) AS t FROM images WHERE id <= 12 ORDER BY t DESC, id
[ordered] SELECT id, 0.1e0 * id + 0.2e0 * id AS v FROM images WHERE id <= 12 ORDER BY v, id
SELECT IF(id % 2 = 0, 0.1e0 + 0.2e0, 0.3e0) AS v, COUNT(*) FROM images GROUP BY 1
[ordered] SELECT id, id / 7 AS q FROM images ORDER BY q DESC, id LIMIT 10
SELECT id, ADDTIME(CAST('00:00:00' AS TIME), IF(id = 1, 1/3, 0.3333)) AS t FROM images WHERE id IN (1, 3)
[ordered] SELECT id, ADDTIME(CAST('00:00:00' AS TIME), IF(id = 1, 1/3, 0.3333)) AS t FROM images WHERE id IN (1, 3) ORDER BY t, id
[ordered] SELECT id, IF(id = 1, 1/3, 0.3333) AS d FROM images WHERE id IN (1, 3) ORDER BY d DESC, id
SELECT IF(id = 1, 1/3, 0.3333) AS d, COUNT(*) FROM images WHERE id IN (1, 3) GROUP BY 1
[ordered] SELECT id, ROUND(id / 3e0, 2) AS r FROM images ORDER BY r DESC, id LIMIT 5
-- MariaDB's UUID and INET6 types sort by their binary form, not their text
-- (the parser does not know the casts: a refusal).
[either] [ordered] SELECT id, CAST(CONCAT(LPAD(id, 8, '0'), '-0000-1', LPAD(400 - id, 3, '0'), '-8000-000000000000') AS UUID) AS u FROM images ORDER BY u LIMIT 10
[either] [ordered] SELECT id, CAST(CONCAT('::', HEX(id)) AS INET6) AS a FROM images ORDER BY a DESC LIMIT 10

-- ======================================================================
-- 4. Per-statement state
-- ======================================================================
-- Pinned to one shard, where the server reads the same rows in the same
-- order: must match. Over several shards: see the last section.
SELECT id, ROWNUM() AS r FROM images WHERE id IN (4, 6, 7, 8)
SELECT COUNT(*) FROM images WHERE id IN (4, 6, 7, 8, 12) AND RAND(1) < 0.5

-- ======================================================================
-- 5. Column names
-- ======================================================================
-- The router aliases unaliased expressions of a scattered statement with
-- the text the client wrote (keepNames).
/* lead */ SELECT id + 1 FROM images WHERE id IN (1, 3)
(SELECT id + 1 FROM images WHERE id IN (1, 3))
[ordered] (SELECT id + 1 FROM images) ORDER BY 1 LIMIT 3
SELECT id, _utf8mb4'x' COLLATE utf8mb4_bin FROM images WHERE id IN (1, 3)
SELECT id, ('x') FROM images WHERE id IN (1, 3)
SELECT id, ((id + 1)) FROM images WHERE id IN (1, 3)
SELECT +id FROM images WHERE id IN (1, 3)
SELECT CONCAT(name, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa') FROM images WHERE id IN (1, 3)
SELECT id, CONCAT(name, '\\') FROM images WHERE id IN (1, 3)
SELECT id, id	+	1 FROM images WHERE id IN (1, 3)
SELECT id, CONCAT(name, "x") FROM images WHERE id IN (1, 3)
SELECT id, @@sql_mode FROM images WHERE id IN (1, 3)
SELECT id, IF(id > 1, 'a', "b") FROM images WHERE id IN (1, 3)
SELECT SQL_SMALL_RESULT id + 1, name FROM images WHERE id IN (1, 3)
SELECT DISTINCTROW id * 2 FROM images WHERE id IN (1, 3)

-- ======================================================================
-- 6. Aggregates over the scatter: NULLs, empty groups, hidden aggregates
-- ======================================================================
SELECT parent_id, COUNT(*), COUNT(parent_id), SUM(parent_id), MAX(dt) FROM images WHERE parent_id IS NULL GROUP BY parent_id
SELECT user_id, SUM(parent_id), COUNT(parent_id), AVG(parent_id) FROM images WHERE id > 390 GROUP BY user_id
SELECT COUNT(*), SUM(id), AVG(id), MIN(dt), MAX(user_id) FROM images WHERE id > 1000 GROUP BY user_id
SELECT SUM(NULL), AVG(NULL), MIN(NULL), MAX(NULL), COUNT(NULL), COUNT(*) FROM images WHERE id < 0
SELECT COUNT(id), COUNT(parent_id), COUNT(name), COUNT(NULLIF(name, '')), COUNT(IF(parent_id IS NULL, 1, NULL)) FROM images
SELECT AVG(id), AVG(id * 1.0), AVG(id * 1e0), AVG(CAST(id AS DECIMAL(10,3))), AVG(id + 0.5) FROM images
SELECT user_id, AVG(parent_id * 1.00), SUM(parent_id * 0.5), AVG(parent_id * 1e0) FROM images GROUP BY user_id
SELECT AVG(CAST(user_id AS SIGNED)), SUM(CAST(user_id AS SIGNED)) FROM images
SELECT AVG(ROUND(id * 1e0)) FROM images WHERE id IN (4, 6, 7)
SELECT SUM(ROUND(id * 1e0, 1)), MIN(ROUND(id * 1e0, 1)), MAX(TRUNCATE(id * 1.5e0, 1)) FROM images
SELECT AVG(TRUNCATE(id * 1.5e0, 1)) FROM images WHERE id IN (1, 2, 4)
SELECT DISTINCT ROUND(IF(id % 2 = 0, 0.1e0, 0.3e0), 1) + ROUND(IF(id % 2 = 0, 0.2e0, 0e0), 1) AS v FROM images
SELECT SUM(user_id), MAX(user_id), MIN(user_id) FROM images
SELECT parent_id IS NULL AS n, AVG(user_id), SUM(user_id) FROM images GROUP BY parent_id IS NULL
SELECT COUNT(*), SUM(id), AVG(id) FROM images WHERE parent_id IS NOT NULL AND parent_id NOT IN (1, 2, 3)
SELECT MIN(CAST(id AS CHAR)), MAX(CAST(id AS CHAR)) FROM images
[ci] SELECT MIN(CONCAT(name, id)), MAX(CONCAT(name, id)) FROM images
[ci] SELECT MIN(TRIM(name)), MAX(LOWER(name)), MIN(UPPER(path)) FROM images
SELECT MIN(DATE(dt)), MAX(DATE(dt)), MIN(TIME(dt)), MAX(TIME(dt)) FROM likes
SELECT user_id, MIN(dt), MAX(dt), COUNT(*) FROM likes GROUP BY user_id
SELECT MIN(created_at), MAX(created_at), COUNT(*) FROM users WHERE id > 90
SELECT image_id % 10 AS m, COUNT(*), MIN(user_id), MAX(id) FROM likes GROUP BY image_id % 10
[ordered] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY AVG(parent_id), user_id LIMIT 15
[ordered] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY AVG(parent_id) DESC, user_id LIMIT 15
[ordered] SELECT user_id FROM images GROUP BY user_id ORDER BY MIN(parent_id) DESC, user_id LIMIT 15
[ordered] SELECT user_id, MAX(parent_id) AS m FROM images GROUP BY user_id ORDER BY m, user_id
[ordered] SELECT parent_id, COUNT(*) FROM images GROUP BY parent_id ORDER BY COUNT(*) DESC, parent_id DESC
[ordered] SELECT user_id, SUM(parent_id) FROM images GROUP BY user_id ORDER BY SUM(parent_id) DESC, user_id LIMIT 10
[ordered] SELECT parent_id, AVG(user_id) FROM images GROUP BY parent_id ORDER BY AVG(user_id) DESC, parent_id
[ordered] SELECT user_id, COUNT(parent_id) FROM images GROUP BY user_id ORDER BY COUNT(parent_id), MAX(id) DESC LIMIT 12
[ordered] SELECT image_id FROM likes GROUP BY image_id ORDER BY SUM(user_id) DESC, image_id LIMIT 10
[ordered] SELECT user_id, MIN(name) AS n FROM images GROUP BY user_id ORDER BY n DESC, user_id LIMIT 10
[ordered] SELECT user_id FROM images GROUP BY user_id ORDER BY MAX(name), user_id LIMIT 10
[ordered] SELECT DATE(dt) AS d, COUNT(*) FROM images GROUP BY DATE(dt) ORDER BY COUNT(*), d
[ordered] SELECT COUNT(*) AS c, user_id FROM images GROUP BY user_id ORDER BY c DESC, user_id DESC LIMIT 5 OFFSET 5
-- Without ORDER BY, MariaDB returns groups in key order, so a LIMIT picks
-- the first keys.
SELECT user_id, COUNT(*) FROM images GROUP BY user_id LIMIT 5 OFFSET 3
SELECT parent_id, COUNT(*) FROM images GROUP BY parent_id LIMIT 4
[ci] SELECT name, COUNT(*) FROM images GROUP BY name LIMIT 6
SELECT DATE(dt), HOUR(dt), COUNT(*) FROM images GROUP BY DATE(dt), HOUR(dt) LIMIT 7
SELECT user_id % 3, parent_id IS NULL, COUNT(*) FROM images GROUP BY 1, 2 LIMIT 4
SELECT COUNT(*) FROM images GROUP BY user_id LIMIT 0
SELECT id, COUNT(*) FROM images GROUP BY id LIMIT 3 OFFSET 100
-- DISTINCT aggregates: on the shard key they could combine exactly.
[either] SELECT COUNT(DISTINCT id) FROM images
[either] SELECT COUNT(DISTINCT image_id) FROM likes
[either] SELECT user_id, COUNT(DISTINCT id) FROM images GROUP BY user_id
[refuse:DISTINCT aggregate] SELECT AVG(DISTINCT parent_id) FROM images
[refuse:DISTINCT aggregate] SELECT COUNT(DISTINCT name) FROM images WHERE id IN (1, 3)
SELECT COUNT(DISTINCT user_id), SUM(DISTINCT user_id) FROM images WHERE id IN (4, 6, 7, 8, 12)
SELECT COUNT(DISTINCT user_id) FROM likes WHERE image_id = 7

-- ======================================================================
-- 7. Common shapes the router may refuse
-- ======================================================================
-- A qualified GROUP BY column (as ORMs write it), a function name in
-- another case, constants beside aggregates, co-located joins.
[either] SELECT user_id, COUNT(*) FROM images GROUP BY images.user_id
[either] SELECT i.user_id, COUNT(*) FROM images i GROUP BY user_id
[either] SELECT DATE(dt), COUNT(*) FROM images GROUP BY date(dt)
[either] SELECT UPPER(name), COUNT(*) FROM users GROUP BY upper(name)
[either] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY user_id % 7, user_id
[either] SELECT 'x' AS k, COUNT(*) FROM images GROUP BY user_id
[either] SELECT COUNT(*), 1 AS one FROM images
[either] SELECT user_id + 0 AS u, COUNT(*) FROM images GROUP BY user_id
[either] [ordered] SELECT DISTINCT user_id FROM images i ORDER BY i.user_id LIMIT 5
[either] SELECT COUNT(*) FROM images i JOIN users u ON u.id = i.id
[either] SELECT COUNT(*) FROM images i JOIN likes l ON l.image_id = i.id WHERE l.user_id = 5
[either] [ordered] SELECT images.*, name FROM images ORDER BY 7, id LIMIT 5
[either] SELECT user_id, GROUP_CONCAT(name ORDER BY id LIMIT 2) FROM images WHERE id IN (4, 6, 7, 8) GROUP BY user_id
[either] SELECT SUM(ALL id), COUNT(ALL parent_id) FROM images
[either] SELECT SUM(ROUND(id / 3e0, 2)) FROM images

-- ======================================================================
-- 8. ORDER BY, NULLs, ties, LIMIT and OFFSET
-- ======================================================================
[ordered] SELECT id, parent_id FROM images ORDER BY parent_id DESC, id DESC LIMIT 25 OFFSET 250
[ordered] SELECT id, parent_id FROM images ORDER BY parent_id, id LIMIT 20 OFFSET 140
[ordered] SELECT id, NULLIF(parent_id, 1) AS p FROM images ORDER BY p DESC, id LIMIT 30 OFFSET 200
[ordered] SELECT parent_id FROM images ORDER BY parent_id LIMIT 160
[ordered] SELECT parent_id FROM images ORDER BY parent_id DESC LIMIT 260
[ordered] SELECT user_id FROM images ORDER BY user_id DESC LIMIT 30
[ordered] SELECT DATE(dt) AS d FROM images ORDER BY d DESC LIMIT 50
[ordered] [ci] SELECT name FROM images ORDER BY name LIMIT 40 OFFSET 100
[ordered] [ci] SELECT name FROM users ORDER BY name DESC LIMIT 30
[ordered] SELECT id FROM images ORDER BY id DESC LIMIT 0, 3
[ordered] SELECT id FROM images ORDER BY user_id, id LIMIT 399, 5
[ordered] SELECT id FROM images ORDER BY dt DESC, id LIMIT 1 OFFSET 399
[ordered] SELECT id FROM images WHERE id IN (1, 3, 4, 11, 2, 5) ORDER BY id LIMIT 2 OFFSET 3
[ordered] SELECT id FROM images WHERE id IN (1, 3, 4, 11) ORDER BY id DESC LIMIT 10 OFFSET 4
SELECT id FROM images LIMIT 1000
SELECT id FROM images WHERE id IN (1, 3, 4, 11) LIMIT 4
[ordered] SELECT DISTINCT parent_id FROM images ORDER BY parent_id LIMIT 1 OFFSET 20
[ordered] SELECT DISTINCT user_id FROM images ORDER BY user_id DESC LIMIT 3, 3
[ordered] SELECT id, name FROM users WHERE name IN ('alice', 'bob') ORDER BY name DESC, id
[ordered] SELECT id, email FROM users ORDER BY email DESC, id LIMIT 20
[ordered] [ci] SELECT DISTINCT LOWER(email) AS e FROM users ORDER BY e LIMIT 15
SELECT COUNT(*) FROM users WHERE email LIKE '%.COM'
[ci] SELECT SUBSTRING_INDEX(email, '@', -1) AS dom, COUNT(*) FROM users GROUP BY SUBSTRING_INDEX(email, '@', -1)
[ordered] SELECT id, CASE WHEN parent_id IS NULL THEN 'none' WHEN parent_id < 10 THEN 'Low' ELSE 'high' END AS c FROM images ORDER BY c DESC, id LIMIT 30
[ordered] SELECT id, COALESCE(parent_id, user_id % 100) AS p FROM images ORDER BY p DESC, id LIMIT 30
[ordered] SELECT id, IF(parent_id IS NULL, NULL, name) AS n FROM images ORDER BY n, id LIMIT 40
[ordered] SELECT id, GREATEST(id, COALESCE(parent_id, 0)) AS g, LEAST(id, user_id) AS l FROM images ORDER BY g DESC, l, id LIMIT 20
[ordered] SELECT id, name FROM images ORDER BY NATURAL_SORT_KEY(name) DESC, id LIMIT 40
[ordered] SELECT id, IF(id % 3 = 0, '😀', IF(id % 3 = 1, '😁', 'z')) AS e FROM images WHERE id <= 30 ORDER BY e, id
[ordered] SELECT id, CAST(name AS BINARY(4)) AS b FROM images ORDER BY b, id LIMIT 30
[ordered] SELECT id, CAST(1000000000000000000000000000000 AS DECIMAL(40,0)) + id AS d FROM images ORDER BY d DESC LIMIT 5
[ordered] SELECT id, CAST(1000000000000000000000000000000 AS DECIMAL(40,0)) - id AS d FROM images ORDER BY d DESC LIMIT 5
SELECT CAST(1000000000000000000000000000000 AS DECIMAL(40,0)) + id % 3 AS d, COUNT(*) FROM images GROUP BY 1

-- ======================================================================
-- 9. Operators whose precedence a reprinted statement must keep
-- ======================================================================
SELECT COUNT(*) FROM images WHERE parent_id IS NULL = 0
SELECT COUNT(*) FROM images WHERE 1 < id < 5
SELECT COUNT(*) FROM images WHERE id BETWEEN 1 AND 10 = 1
SELECT COUNT(*) FROM images WHERE NOT id BETWEEN 5 AND 10 = 0
SELECT COUNT(*) FROM images WHERE !!parent_id
SELECT COUNT(*) FROM images WHERE NOT NOT parent_id
SELECT COUNT(*) FROM images WHERE ! parent_id IS NULL
SELECT COUNT(*) FROM images WHERE ~id & 1
SELECT COUNT(*) FROM images WHERE id | 1 & 2 = 3
SELECT COUNT(*) FROM images WHERE id ^ 2 * 3 = 15
SELECT COUNT(*) FROM images WHERE id << 1 + 1 = 12
SELECT COUNT(*) FROM images WHERE id DIV 2 * 2 = id
SELECT COUNT(*) FROM images WHERE id MOD 3 % 2 = 1
SELECT COUNT(*) FROM images WHERE -id ^ 1 < 0
SELECT COUNT(*) FROM images WHERE name LIKE 'a%' = 0
SELECT COUNT(*) FROM images WHERE name LIKE 'a%' IS TRUE
SELECT COUNT(*) FROM images WHERE name REGEXP '^a' = name REGEXP 'b$'
SELECT COUNT(*) FROM images WHERE parent_id IN (1, 2) IS NULL
[either] SELECT COUNT(*) FROM images WHERE id IN (1, 2) IN (0)
SELECT COUNT(*) FROM images WHERE parent_id <=> NULL = 1
SELECT COUNT(*) FROM images WHERE (parent_id = 1) <=> NULL
SELECT COUNT(*) FROM images WHERE 'a' COLLATE utf8mb4_bin LIKE LOWER(name)
SELECT COUNT(*) FROM images WHERE BINARY name LIKE 'A%'
SELECT COUNT(*) FROM images WHERE name = 'alice' OR name = 'bob' AND id > 200
SELECT COUNT(*) FROM images WHERE id > 100 XOR id > 200 XOR parent_id IS NULL
SELECT COUNT(*) FROM images WHERE CASE WHEN parent_id IS NULL THEN 0 ELSE 1 END = 1
SELECT COUNT(*) FROM images WHERE IF(parent_id, 1, 0)
SELECT COUNT(*) FROM images WHERE COALESCE(parent_id, 0) IN (0, 1)
SELECT COUNT(*) FROM images WHERE dt - INTERVAL 1 DAY > '2025-03-01'
SELECT COUNT(*) FROM images WHERE INTERVAL 1 DAY + dt > '2025-03-03'
SELECT COUNT(*) FROM images WHERE dt + INTERVAL id MINUTE > '2025-03-02 12:00:00'
SELECT COUNT(*) FROM images WHERE name IS NOT NULL IS TRUE
SELECT COUNT(*) FROM images WHERE name COLLATE utf8mb4_bin IN ('alice', 'Bob')
SELECT COUNT(*) FROM images WHERE NVL(parent_id, 0) = 0
SELECT COUNT(*) FROM images WHERE NVL2(parent_id, 1, 0) = 1
SELECT COUNT(*) FROM images WHERE SFORMAT('{}-{}', user_id % 3, id % 2) = '1-0'
SELECT COUNT(*) FROM images WHERE name LIKE CONCAT('%', 'li', '%') ESCAPE '|'
[ordered] SELECT id, -id ^ 1 AS a, !parent_id AS b, ~id & 255 AS c, id << 1 + 1 AS d FROM images ORDER BY id LIMIT 5
[ordered] SELECT id, name LIKE 'a%' = 0 AS x, parent_id IS NULL = 0 AS y, 1 < id < 5 AS z FROM images ORDER BY id LIMIT 25
[ordered] SELECT id, ADDDATE(dt, 1) AS a, SUBDATE(dt, INTERVAL 2 HOUR) AS s, TIMESTAMPADD(MINUTE, id, dt) AS t FROM images ORDER BY id LIMIT 5
[ordered] SELECT id, CONCAT_WS('-', id, parent_id, name) AS c, ELT(id % 3 + 1, 'a', 'b', 'c') AS e, FIELD(name, 'alice', 'bob') AS f FROM images ORDER BY id LIMIT 20
[ordered] SELECT id, NVL(parent_id, -1) AS n, NVL2(parent_id, 'p', 'none') AS m FROM images ORDER BY id LIMIT 25

-- ======================================================================
-- 10. JSON over the scatter
-- ======================================================================
[ordered] SELECT id, JSON_OBJECT('n', name, 'p', parent_id) AS j FROM images ORDER BY id LIMIT 5
[ordered] SELECT id, JSON_EXTRACT(JSON_OBJECT('a', id, 'b', name), '$.b') AS x FROM images ORDER BY x, id LIMIT 20
[ordered] SELECT id, JSON_VALUE(JSON_OBJECT('a', id), '$.a') AS v FROM images ORDER BY v DESC, id LIMIT 10
[ordered] SELECT id, JSON_OBJECT('u', user_id) AS j FROM images ORDER BY j DESC, id LIMIT 10
SELECT JSON_LENGTH(JSON_ARRAY(id, parent_id, name)) AS l, COUNT(*) FROM images GROUP BY 1
SELECT JSON_TYPE(JSON_EXTRACT(JSON_OBJECT('p', parent_id), '$.p')) AS t, COUNT(*) FROM images GROUP BY 1
SELECT JSON_EXTRACT(JSON_OBJECT('u', user_id), '$.u') AS u, COUNT(*) FROM images GROUP BY 1
SELECT MIN(JSON_ARRAY(user_id, id)), MAX(JSON_OBJECT('n', name)) FROM images
SELECT COUNT(*) FROM images WHERE JSON_CONTAINS(JSON_ARRAY(id, user_id, parent_id), '7')
SELECT COUNT(*) FROM images WHERE JSON_EXTRACT(JSON_OBJECT('p', parent_id), '$.p') = 1
SELECT SUM(JSON_VALUE(JSON_OBJECT('a', id), '$.a')) FROM images
[ordered] SELECT id, JSON_QUOTE(name) AS q, JSON_UNQUOTE(JSON_QUOTE(name)) AS u FROM images ORDER BY id LIMIT 10
[ordered] SELECT id, JSON_SET(JSON_OBJECT('a', 1), '$.b', name) AS s, JSON_REMOVE(JSON_ARRAY(1, 2, id), '$[0]') AS r FROM images ORDER BY id LIMIT 5
[ordered] SELECT id, JSON_QUERY(JSON_OBJECT('a', JSON_ARRAY(id)), '$.a') AS q, JSON_EXISTS(JSON_OBJECT('p', parent_id), '$.p') AS e FROM images ORDER BY id LIMIT 5
[ordered] SELECT id, JSON_ARRAY_APPEND(JSON_ARRAY(id), '$', name) AS a, JSON_INSERT(JSON_OBJECT('a', 1), '$.a', 2, '$.c', id) AS i FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, JSON_COMPACT(JSON_ARRAY(id, name)) AS c FROM images ORDER BY c, id LIMIT 10

-- ======================================================================
-- 11. Pinned statements: HAVING, GROUP_CONCAT, windows, UNION, subqueries
-- ======================================================================
SELECT user_id, COUNT(*) FROM images WHERE id IN (4, 6, 7, 8, 12, 25, 29, 34) GROUP BY user_id HAVING COUNT(*) >= 1 AND MAX(dt) > '2025-03-01'
SELECT image_id, COUNT(*) FROM likes WHERE image_id = 7 GROUP BY image_id HAVING SUM(user_id) > 0
SELECT user_id FROM images WHERE id IN (3, 5, 9, 10, 13, 15) GROUP BY user_id HAVING MIN(dt) < '2025-03-02'
SELECT GROUP_CONCAT(name ORDER BY name DESC, id SEPARATOR ' | ') FROM images WHERE id IN (4, 6, 7, 8, 12)
SELECT user_id, GROUP_CONCAT(DISTINCT parent_id ORDER BY parent_id SEPARATOR '') FROM images WHERE id IN (3, 5, 9, 10, 13) GROUP BY user_id
SELECT GROUP_CONCAT(l.user_id ORDER BY l.id) FROM likes l WHERE l.image_id = 7
[refuse:aggregate GROUP_CONCAT] SELECT GROUP_CONCAT(name ORDER BY id SEPARATOR ';') FROM images WHERE id IN (3, 4)
SELECT id, SUM(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS s FROM images WHERE id IN (4, 6, 7, 8, 12)
SELECT id, RANK() OVER (PARTITION BY user_id ORDER BY dt) AS r FROM images WHERE id IN (3, 5, 9, 10)
SELECT id, NTILE(2) OVER (ORDER BY id DESC) AS n, CUME_DIST() OVER (ORDER BY id) AS c FROM images WHERE id IN (11, 14, 18, 19, 20)
SELECT l.id, COUNT(*) OVER (PARTITION BY l.user_id) AS n FROM likes l WHERE l.image_id = 7
SELECT id, FIRST_VALUE(name) OVER w AS f, LAST_VALUE(name) OVER w AS l FROM images WHERE id IN (1, 2, 24, 26) WINDOW w AS (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
[refuse:window function] SELECT id, SUM(id) OVER (ORDER BY id) FROM images WHERE id IN (1, 3)
SELECT id FROM images WHERE id = 7 UNION SELECT id FROM images WHERE id = 8
[either] SELECT id FROM images WHERE id = 7 UNION SELECT 99
[either] SELECT 1 UNION ALL SELECT COUNT(*) FROM images WHERE id = 7
[ordered] (SELECT id FROM images WHERE id = 7) UNION (SELECT id FROM images WHERE id = 8) ORDER BY id DESC LIMIT 1
SELECT COUNT(*) FROM (SELECT id FROM images WHERE id = 7 UNION ALL SELECT image_id FROM likes WHERE image_id = 7) t
[refuse:UNION] SELECT id FROM images WHERE id = 7 UNION ALL SELECT id FROM images WHERE id = 3
-- A SELECT without FROM counts as the table dual on shard 0: these run
-- only when the pinned table is on shard 0 too.
[either] SELECT (SELECT MAX(id) FROM images WHERE id IN (4, 6, 7)) AS m
SELECT (SELECT MAX(id) FROM images WHERE id IN (1, 2)) AS m
SELECT EXISTS (SELECT 1 FROM likes WHERE image_id = 1) AS e
SELECT id FROM images WHERE id = 7 AND parent_id <=> (SELECT parent_id FROM images WHERE id = 8)
SELECT COUNT(*) FROM (SELECT user_id FROM images WHERE id IN (4, 6, 7, 8) GROUP BY user_id) t
SELECT * FROM (SELECT id, name FROM images WHERE id IN (3, 5, 9) ORDER BY id LIMIT 2) t
[either] SELECT EXISTS (SELECT 1 FROM likes WHERE image_id = 7) AS e
[either] SELECT NOT EXISTS (SELECT 1 FROM images WHERE id = 401) AS e
SELECT id FROM images i WHERE i.id IN (4, 6, 7) AND EXISTS (SELECT 1 FROM likes l WHERE l.image_id = i.id)
[refuse:subquery] SELECT (SELECT COUNT(*) FROM images WHERE id = 7), (SELECT COUNT(*) FROM images WHERE id = 3)

-- ======================================================================
-- 12. Joins pinned by the key
-- ======================================================================
SELECT COUNT(*) FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id IN (4, 6, 7)
SELECT i.id, COUNT(l.id) FROM images i LEFT JOIN likes l ON l.image_id = i.id WHERE i.id IN (4, 6, 7, 8, 12) GROUP BY i.id
SELECT u.id, u.name, i.id FROM users u JOIN images i ON i.id = u.id WHERE u.id IN (4, 6, 7)
SELECT COUNT(*) FROM images i NATURAL JOIN likes l WHERE i.id = 7 AND l.image_id = 7
SELECT COUNT(*) FROM images i JOIN likes l USING (user_id) WHERE i.id = 7 AND l.image_id = 7
SELECT COUNT(*) FROM likes l JOIN likes m ON m.image_id = l.image_id WHERE l.image_id = 7
[refuse:cross-shard join] SELECT COUNT(*) FROM likes l JOIN likes m ON m.user_id = l.user_id WHERE l.image_id = 7
SELECT COUNT(*) FROM images i JOIN likes l ON l.image_id = i.id AND l.user_id = i.user_id WHERE i.id = 7
SELECT COUNT(*) FROM images i CROSS JOIN likes l WHERE i.id = 7 AND l.image_id = 4
SELECT COUNT(*) FROM images i JOIN likes l ON l.image_id IN (7) WHERE i.id = 7

-- ======================================================================
-- 13. SELECT without FROM
-- ======================================================================
SELECT 1
SELECT COUNT(*)
SELECT 1 WHERE 1 = 0
SELECT JSON_EXTRACT('{"a":[1,2]}', '$.a[1]')
SELECT 'ß' = 's', 'a' = 'A', 'a' = 'a '
SELECT 1 UNION SELECT 2
[ordered] SELECT 1 AS x UNION ALL SELECT 1 ORDER BY 1
SELECT ROWNUM()

-- ======================================================================
-- 14. Wrong answers found by corpus3, minimised
-- ======================================================================
-- Each was a wrong answer when corpus3 was written. The router now refuses
-- the FLOAT, DOUBLE, ROWNUM() and RAND(N) shapes and a computed date or
-- time whose microseconds are finer than its decimals where two values
-- print alike, rounds the AVG, and names the unaliased columns as the
-- server does.
--
-- FLOAT: the server prints a FLOAT to 6 significant digits, and the merge
-- compares that text. 1000.0001 and 1000.0003 are two floats, both sent as
-- '1000'.
-- Was a wrong answer (found by corpus3): DISTINCT merges two distinct floats into one row
[refuse:GROUP BY or DISTINCT on a FLOAT] [noproxy] SELECT DISTINCT CAST(1000 + id / 10000 AS FLOAT) AS f FROM images WHERE id IN (1, 3)
-- Was a wrong answer (found by corpus3): GROUP BY merges two groups (one row '1000 | 2' for two '1000 | 1')
[refuse:GROUP BY or DISTINCT on a FLOAT] [noproxy] SELECT CAST(1000 + id / 10000 AS FLOAT) AS f, COUNT(*) FROM images WHERE id IN (1, 3) GROUP BY 1
-- Was a wrong answer (found by corpus3): ORDER BY a FLOAT: the merge sees a tie and orders by id
[refuse:ordering by a FLOAT across shards where two values print alike] [ordered] SELECT id FROM images WHERE id IN (1, 3) ORDER BY CAST(1000 + id / 10000 AS FLOAT) DESC, id
-- Was a wrong answer (found by corpus3): the same over the whole table: 5 groups for the server's 400
[refuse:GROUP BY or DISTINCT on a FLOAT] [noproxy] SELECT CAST(1000 + id / 10000 AS FLOAT) AS f, COUNT(*) FROM images GROUP BY 1
-- Was a wrong answer (found by corpus3): the same under ORDER BY … LIMIT
[refuse:ordering by a FLOAT across shards where two values print alike] [ordered] [noproxy] SELECT id, CAST(1000 + id / 10000 AS FLOAT) AS f FROM images ORDER BY f DESC, id LIMIT 10
--
-- DOUBLE with fixed decimals: ROUND(x, 1) + ROUND(y, 1) has one decimal;
-- 0.1 + 0.2 (id 4) and 0.3 (id 1) both print 0.3, and the server sorts
-- 0.30000000000000004 first.
-- Was a wrong answer (found by corpus3): ORDER BY a DOUBLE with fixed decimals
[refuse:ordering by a DOUBLE with 1 decimals across shards where two values print alike] [ordered] SELECT id, ROUND(IF(id = 4, 0.1e0, 0.3e0), 1) + ROUND(IF(id = 4, 0.2e0, 0e0), 1) AS v FROM images WHERE id IN (1, 4) ORDER BY v DESC, id
--
-- DATETIME whose fraction is finer than its decimals: 1/3 s prints as
-- .3333 but is kept as .333333, which sorts after .3333.
-- Was a wrong answer (found by corpus3): ORDER BY a DATETIME(4) holding microseconds
[refuse:ordering by a computed DATETIME(4) across shards where two values print alike] [ordered] SELECT id, TIMESTAMP('2025-03-01') + INTERVAL IF(id = 4, 1/3, 0.3333) SECOND AS t FROM images WHERE id IN (1, 4) ORDER BY t DESC, id
[refuse:ordering by a computed TIME(4) across shards where two values print alike] [ordered] SELECT id, TIME('10:00:00') + INTERVAL IF(id = 4, 1/3, 0.3333) SECOND AS t FROM images WHERE id IN (1, 4) ORDER BY t DESC, id
[refuse:GROUP BY or DISTINCT on a computed DATETIME(4)] SELECT TIMESTAMP('2025-03-01') + INTERVAL IF(id = 4, 1/3, 0.3333) SECOND AS t, COUNT(*) FROM images WHERE id IN (1, 4) GROUP BY 1
[refuse:GROUP BY or DISTINCT on a computed DATETIME(4)] SELECT DISTINCT TIMESTAMP('2025-03-01') + INTERVAL IF(id = 4, 1/3, 0.3333) SECOND AS t FROM images WHERE id IN (1, 4)
-- The exact value, a computed value with all six decimals, and one whose
-- type has no fraction merge as before, ties included.
[ordered] SELECT id, CAST(TIMESTAMP('2025-03-01') + INTERVAL IF(id = 4, 1/3, 0.3333) SECOND AS DATETIME(6)) AS t FROM images WHERE id IN (1, 4) ORDER BY t DESC, id
[ordered] SELECT id, dt + INTERVAL 1 DAY AS t FROM images ORDER BY t DESC, id LIMIT 20
[ordered] SELECT id, TIMESTAMP(DATE(dt)) AS t FROM images ORDER BY t DESC, id LIMIT 20
SELECT TIMESTAMP(DATE(dt)) AS t, COUNT(*) FROM images GROUP BY 1
--
-- AVG of a DOUBLE with fixed decimals: the server rounds the average to the
-- argument's decimals + 4 (ROUND(x) has 0, so 4: 7/3 is 2.3333); the
-- router divides the summed doubles and returns every digit.
-- Was a wrong answer (found by corpus3): AVG over two shards: 2.3333333333333335 for the server's 2.3333
SELECT AVG(ROUND(id * 1e0)) FROM images WHERE id IN (1, 2, 4)
-- Was a wrong answer (found by corpus3): the same per group: 270.571428571… for the server's 270.57143
SELECT user_id, AVG(ROUND(id * 1e0, 1)) FROM images GROUP BY user_id
--
-- ROWNUM() numbers the rows of each shard from 1.
-- Was a wrong answer (found by corpus3): ROWNUM() over two shards gives 1 and 1, the server 1 and 2
[refuse:ROWNUM() across shards] SELECT id, ROWNUM() AS r FROM images WHERE id IN (1, 3)
-- Was a wrong answer (found by corpus3): ROWNUM() as a row limit: 40 rows for the server's 10
[refuse:ROWNUM() across shards] SELECT COUNT(*) FROM images WHERE ROWNUM() <= 10
-- Was a wrong answer (found by corpus3): MAX(ROWNUM()) is the largest shard's count, not 400
[refuse:ROWNUM() across shards] SELECT MAX(ROWNUM()) FROM images
--
-- RAND(N) restarts its seeded sequence on every shard.
-- Was a wrong answer (found by corpus3): two rows on two shards get the same first draw
[refuse:RAND(1) across shards] SELECT SUM(RAND(1)) FROM images WHERE id IN (1, 3)
-- Was a wrong answer (found by corpus3): a seeded sample of the table counts differently
[refuse:RAND(1) across shards] SELECT COUNT(*) FROM images WHERE RAND(1) < 0.5
--
-- Column names of unaliased expressions (metadata only; the values match).
-- Was a wrong answer (found by corpus3): a comment inside the expression: 'id + 1' for 'id /* c */ + 1'
SELECT id /* c */ + 1 FROM images WHERE id IN (1, 3)
-- Was a wrong answer (found by corpus3): a parenthesised literal: '(1)' for '1'
SELECT id, (1) FROM images WHERE id IN (1, 3)
-- Was a wrong answer (found by corpus3): a unary plus: '+1' for '1'
SELECT id, +1 FROM images WHERE id IN (1, 3)
-- Was a wrong answer (found by corpus3): a parenthesised NULL: '(NULL)' for 'NULL'
SELECT id, (NULL) FROM images WHERE id IN (1, 3)
-- More names, each as MariaDB 10.11 gives it: a comment inside is kept,
-- one outside is not; an executable comment loses its markers; a unary
-- plus and parentheses vanish around a number, a string, NULL and TRUE,
-- but not around a negative number or a hex literal.
SELECT id, id/*a*//*b*/+1 FROM images WHERE id IN (1, 3)
SELECT id, 1 /*+ hint */ + 1, id + 1 /* after */ FROM images WHERE id IN (1, 3)
SELECT /* before */ id + 1 FROM images WHERE id IN (1, 3)
SELECT id /*!+ 1*/ FROM images WHERE id IN (1, 3)
SELECT id, -(1), (-1), - 1, +-1 FROM images WHERE id IN (1, 3)
-- [noproxy]: the server flags a hex literal's VARBINARY column UNSIGNED, a
-- flag the driver does not expose, so the proxy's column definitions lose it.
[noproxy] SELECT id, (0x41), 0x41, (b'1'), b'1', DATE'2020-01-01' FROM images WHERE id IN (1, 3)
SELECT id, (TRUE), (false), (01), (1.), (.5), (1e0), +'x', (+'y'), + NULL FROM images WHERE id IN (1, 3)
SELECT +id, (name), + (user_id) FROM images WHERE id IN (1, 3)
SELECT id, 'a' 'b', ('c' 'd'), _utf8mb4'e', N'f' FROM images WHERE id IN (1, 3)
