-- A fourth hand-written differential corpus for the sharding router, by a
-- tester who did not write it. Same format and tags as corpus.sql,
-- corpus2.sql and corpus3.sql (see readCorpus in corpus_test.go);
-- TestHandCorpus4 in corpus_test.go runs it. Its angles, each thin in the
-- first three corpora:
--   1, 4. the names and metadata of scattered columns (ORDER BY … LIMIT,
--        GROUP BY, aggregates, DISTINCT), unaliased: functions in odd case
--        and spacing, comments and tabs in and around them, quoted and
--        qualified names, literals of every type (hex, bit, temporal,
--        negative, parenthesised, unary plus, escaped strings, charset
--        introducers), names past 255 bytes and with non-ASCII text; and
--        aliased: odd characters, duplicates, leading spaces, aliases that
--        shadow a column in ORDER BY and GROUP BY;
--   2.   dates and times merged across shards: TIME values negative and
--        past 24 hours, INTERVAL, DATE_ADD and TIMESTAMPADD with fractional
--        seconds, fractions finer than the decimals, DATE against DATETIME,
--        zero dates and zero parts, MIN, MAX, ORDER BY and GROUP BY with
--        ties;
--   3.   NULLs under DESC, LIMIT and OFFSET at the edges of BIGINT
--        UNSIGNED, LIMIT over an ungrouped aggregate, big unsigned keys
--        and values, negative sums and averages, hidden sort columns;
--   4.   also: -0 beside 0, SUM and AVG of DOUBLEs with fixed decimals and
--        of DECIMALs at every scale, SELECT * beside hidden sort columns,
--        mixed types under MIN and MAX.
-- GROUP BY an alias is refused across shards (the router cannot tell an
-- alias from a column), so most grouped statements here group by position.
-- The last section holds the statements that got a wrong answer.
-- Dataset, tables and shard placement: see corpus3.sql's header.

-- ======================================================================
-- 1. Column names of scattered statements
-- ======================================================================
-- Aggregates in odd case and spacing, quoted and qualified names.
SELECT Max(id), mIn(id), count( * ), Count(*), COUNT(1), sum(id) FROM images
SELECT MAX(`id`), MAX(images.id), MAX(`images`.`id`), MIN( id ), max(  images . id  ) FROM images
SELECT	MAX(id)	,	MIN(id)	FROM images
SELECT MAX(id)	FROM	images
SELECT MAX(id) /* c */, MIN(id), COUNT(*) /* e */ FROM images
SELECT MAX(id /* inside */), MIN(/* first */ id), COUNT(/* star */ *) FROM images
SELECT MAX(id)/**/, MIN(id)/*x*/+0 FROM images WHERE id = 7
SELECT (MAX(id)), ((COUNT(*))), MAX((id)), MIN(((dt))) FROM images
SELECT COUNT(*)FROM images
SELECT MAX(id)AS m, MIN(id)n FROM images
SELECT SQL_NO_CACHE MAX(id), MIN(id) FROM images
SELECT ALL MAX(id) FROM images
SELECT HIGH_PRIORITY SQL_SMALL_RESULT MAX(id) FROM images
SELECT STRAIGHT_JOIN COUNT(*), MAX(user_id) FROM images
SELECT /*+ hint */ MAX(id) FROM images
select max(id), min(dt) from images
SELECT AVG(id), avg(user_id), Avg( parent_id ), AVG(images.id) FROM images
SELECT AVG(id), SUM(id), AVG(id), COUNT(id), AVG(id) FROM images
SELECT user_id % 3, COUNT(*) FROM images GROUP BY user_id % 3
SELECT user_id	%	3, Count( * ) FROM images GROUP BY user_id % 3
SELECT images.user_id % 3, COUNT(*) FROM images GROUP BY images.user_id % 3
[either] SELECT `user_id` % 3 AS `u`, COUNT(*) FROM images GROUP BY `u`
SELECT DISTINCT user_id % 3, parent_id IS NULL FROM images
SELECT DISTINCT images.user_id % 3 FROM images
SELECT DISTINCT `images`.`user_id` DIV 10 FROM images
SELECT DISTINCT (user_id % 4), (((parent_id))) FROM images
SELECT DISTINCT /* c */ user_id % 2 /* d */ FROM images
[ordered] SELECT id, id + 1, id*2, images.id - 1, `id` DIV 2 FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, id /* a */ + /* b */ 1 FROM images ORDER BY id DESC LIMIT 3
[ordered] SELECT id, CONCAT(name, 'x') FROM images ORDER BY id DESC LIMIT 3
[ordered] SELECT id, UPPER(name), Lower(name), cOnCaT_wS('-', id, name) FROM images ORDER BY id LIMIT 4
-- Literals of every type beside a scattered ORDER BY … LIMIT.
[ordered] [noproxy] SELECT id, 0x41, X'42', x'', b'101', 0b11, B'0' FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, DATE'2020-01-01', TIME'10:00:00.5', TIMESTAMP'2020-01-01 00:00:00.25' FROM images ORDER BY id LIMIT 3
[either] [ordered] SELECT id, {d '2020-02-02'}, {ts '2020-02-02 10:00:00.5'} FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, -1, - 1, -(-1), +1.5, -.5e1, 1.0e-3, 1E3, .5 FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, 18446744073709551615, 18446744073709551616, -9223372036854775808, 99999999999999999999999999999999999999.5 FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, 'a\'b', 'a''b', "a""b", 'tab\there', '\%', '\_', '\x', 'new\nline', '\\' FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, _latin1'abc', _binary'xyz', N'nat', n'nat2', _utf8mb4'x' COLLATE utf8mb4_bin FROM images ORDER BY id LIMIT 3
[ordered] [noproxy] SELECT id, _utf8mb4 0x41, _latin1 X'42' FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, 'x', '', ' lead', 'trail ', 'ü', '日本', '😀' FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, TRUE, FALSE, NULL, (TRUE), NOT TRUE, !FALSE FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, 1 + 1, '1' + '1', 'a' = 'A', 2 > 1, 5 DIV 2, 5 MOD 2, 1 << 3 FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, CAST(1 AS CHAR), CAST('1' AS UNSIGNED), CONVERT('x', CHAR(3)), CONVERT('x' USING latin1) FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, INTERVAL 1 DAY + DATE'2020-01-01', DATE'2020-01-01' - INTERVAL 1 SECOND FROM images ORDER BY id LIMIT 3
-- Literals beside aggregates and in DISTINCT.
[either] SELECT 'x', COUNT(*), 1.5, NULL, 0x41 FROM images
[either] SELECT DISTINCT 'x', user_id % 2, -1 FROM images
[either] SELECT user_id % 2, 'lit', COUNT(*) FROM images GROUP BY user_id % 2
-- Names longer than 255 bytes, non-ASCII text in names.
[ci] SELECT MAX(CONCAT(name, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')) FROM images
[ci] SELECT MAX(CONCAT(name, 'éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé')) FROM images
[ci] SELECT MIN(CONCAT(name, '日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日')) FROM images
[ci] SELECT MAX(CONCAT(name, 'x日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日')), COUNT(*) FROM images GROUP BY user_id % 2
[ordered] [ci] SELECT id, CONCAT(name, 'éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé') FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, 'éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé' FROM images ORDER BY id LIMIT 2
[ci] SELECT MAX(CONCAT(name, 'ü')), MIN(CONCAT('日本', name)) FROM images
[either] [ci] SELECT MAX(CONCAT(name, 'Ελλάδα')) AS `Ελλάδα`, MIN(name) AS ñ, COUNT(*) AS `日本` FROM images
[ci] SELECT MAX(CONCAT(name, 'Ελλάδα')) AS `Ελλάδα`, MIN(name) AS `ñ`, COUNT(*) AS `日本` FROM images
-- Aliases with odd characters, and duplicate names.
SELECT MAX(id) AS `a b`, MIN(id) AS "c""d", COUNT(*) AS 'e''f', SUM(id) AS `g``h`, AVG(id) AS `i.j` FROM images
SELECT MAX(id) AS `  m`, MIN(id) AS `n  `, COUNT(*) AS ` ` FROM images
SELECT MAX(id) AS `from`, MIN(id) "select", COUNT(*) count, SUM(id) AS `SUM(id)` FROM images
SELECT MAX(id), MAX(id), MIN(id) AS `MAX(id)` FROM images
SELECT user_id, COUNT(*), COUNT(*), COUNT(*) AS user_id FROM images GROUP BY user_id
[ordered] SELECT id, id, name AS id FROM images ORDER BY 1 LIMIT 3
[ordered] SELECT user_id AS u, user_id AS u, id FROM images ORDER BY id DESC LIMIT 4
SELECT MAX(id) AS x, MIN(id) AS X, COUNT(*) AS `x` FROM images
-- Aliases that shadow column names: ORDER BY takes the alias, GROUP BY
-- the column.
[ordered] SELECT id, 0 - CAST(id AS SIGNED) AS user_id FROM images ORDER BY user_id LIMIT 5
[ordered] SELECT id AS parent_id, parent_id AS id FROM images ORDER BY parent_id DESC LIMIT 5
[ordered] SELECT id, user_id AS dt FROM images ORDER BY dt DESC, id LIMIT 6
[ordered] SELECT name AS id, id AS name FROM images ORDER BY name DESC LIMIT 6
SELECT user_id % 3 AS user_id, COUNT(*) FROM images GROUP BY user_id
SELECT parent_id IS NULL AS parent_id, COUNT(*) FROM images GROUP BY parent_id
[ordered] SELECT user_id, MAX(dt) AS dt FROM images GROUP BY user_id ORDER BY dt DESC, user_id LIMIT 5
[ordered] SELECT user_id, COUNT(*) AS id FROM images GROUP BY user_id ORDER BY id DESC, user_id LIMIT 5
[ordered] SELECT user_id AS id, COUNT(*) FROM images GROUP BY user_id ORDER BY id LIMIT 5

-- ======================================================================
-- 2. Dates and times over the scatter
-- ======================================================================
-- TIME values: negative, past 24 hours, with fractions.
SELECT MIN(TIMEDIFF(dt, '2025-03-02 12:00:00')), MAX(TIMEDIFF(dt, '2025-03-02 12:00:00')) FROM images
SELECT MIN(TIMEDIFF('2025-03-01 00:00:00', dt)), MAX(TIMEDIFF('2025-03-01 00:00:00', dt)) FROM images
SELECT MIN(SEC_TO_TIME(id * 3600)), MAX(SEC_TO_TIME(id * 3600)) FROM images
SELECT MIN(SEC_TO_TIME(CAST(id AS SIGNED) * 7200 - 400000)), MAX(SEC_TO_TIME(CAST(id AS SIGNED) * 7200 - 400000)) FROM images
SELECT MIN(SEC_TO_TIME(-id / 4)), MAX(SEC_TO_TIME(-id / 4)) FROM images
SELECT MIN(MAKETIME(id, 59, 59)), MAX(MAKETIME(CAST(id AS SIGNED) - 200, 30, 0)) FROM images
SELECT user_id % 5 AS g, MIN(TIMEDIFF(dt, '2025-03-02 00:00:00')), MAX(TIMEDIFF(dt, '2025-03-02 00:00:00')) FROM images GROUP BY 1
[ordered] SELECT id, SEC_TO_TIME(CAST(id AS SIGNED) * 1000 - 100000) AS t FROM images ORDER BY t DESC, id LIMIT 20
[ordered] SELECT id, SEC_TO_TIME(CAST(id AS SIGNED) * 1000 - 100000) AS t FROM images ORDER BY t, id LIMIT 20
[ordered] SELECT id, TIMEDIFF(dt, '2025-03-02 12:00:00') AS t FROM images ORDER BY t, id LIMIT 30
[ordered] SELECT id, TIMEDIFF(dt, '2025-03-02 12:00:00') AS t FROM images ORDER BY t DESC, id LIMIT 30 OFFSET 100
[ordered] SELECT id, MAKETIME(id, 0, 0) AS t FROM images WHERE id < 40 ORDER BY t DESC
[ordered] SELECT id, MAKETIME(20 - CAST(id AS SIGNED), 0, 0) AS t FROM images WHERE id < 40 ORDER BY t
[ordered] SELECT id, SEC_TO_TIME(500 - id * 2.5) AS t FROM images WHERE id < 400 ORDER BY t, id LIMIT 50
[ordered] SELECT TIMEDIFF(dt, '2025-03-02 00:00:00') AS t FROM images ORDER BY t DESC LIMIT 60
SELECT TIMEDIFF(dt, '2025-03-02 00:00:00') AS t, COUNT(*) FROM images GROUP BY 1
SELECT DISTINCT TIMEDIFF('2025-03-02 00:00:00', dt) FROM images
[ordered] SELECT TIME(dt) AS t, COUNT(*) FROM images GROUP BY 1 ORDER BY 1 DESC LIMIT 10
[ordered] SELECT SEC_TO_TIME(CAST(id AS SIGNED) * 36000 - 3600000) AS t, COUNT(*) FROM images GROUP BY 1 ORDER BY t LIMIT 30
SELECT SEC_TO_TIME(CAST(id AS SIGNED) * 36000 - 3600000) AS t, COUNT(*) FROM images GROUP BY 1 LIMIT 10
SELECT TIMEDIFF(dt, '2025-03-02 00:00:00') AS t, COUNT(*) FROM images GROUP BY 1 LIMIT 10
[either] SELECT TIMEDIFF(dt, '2025-03-02 00:00:00') AS t, COUNT(*) FROM images GROUP BY t DESC LIMIT 10
SELECT SUM(TIMEDIFF(dt, '2025-03-02 00:00:00')), SUM(TIME(dt)), COUNT(TIME(dt)) FROM images
SELECT SUM(TIME_TO_SEC(TIMEDIFF(dt, '2025-03-02 00:00:00'))), MIN(TIME_TO_SEC(TIMEDIFF(dt, '2025-03-02 00:00:00'))) FROM images
[refuse:AVG of a date or time] SELECT AVG(TIMEDIFF(dt, '2025-03-02 00:00:00')) FROM images
[refuse:AVG of a date or time] SELECT AVG(dt) FROM images
SELECT MIN(CAST(TIMEDIFF(dt, '2025-03-02 00:00:00') AS TIME(1))), MAX(CAST(dt AS TIME(2))) FROM images
[ordered] SELECT id, CAST(dt AS TIME(1)) AS t FROM images ORDER BY t DESC, id LIMIT 25
[ordered] SELECT id, ADDTIME('-1 10:00:00', SEC_TO_TIME(id * 600)) AS t FROM images ORDER BY t, id LIMIT 30
-- INTERVAL arithmetic, with fractional seconds.
[ordered] SELECT id, dt + INTERVAL 1.5 SECOND AS t FROM images ORDER BY t DESC, id LIMIT 10
[either] [ordered] SELECT id, DATE(dt) + INTERVAL 1.5 SECOND AS t FROM images ORDER BY t, id LIMIT 10
[ordered] SELECT id, DATE_ADD(DATE(dt), INTERVAL id * 0.25 SECOND) AS t FROM images ORDER BY t DESC, id LIMIT 10
[ordered] SELECT id, DATE_SUB(DATE(dt), INTERVAL id * 0.5 SECOND) AS t FROM images ORDER BY t, id LIMIT 10
[ordered] SELECT id, TIMESTAMPADD(MICROSECOND, id, dt) AS t FROM images ORDER BY t DESC, id LIMIT 15
[ordered] SELECT id, TIMESTAMPADD(SECOND, id / 8, DATE(dt)) AS t FROM images ORDER BY t, id LIMIT 15
[either] [ordered] SELECT id, TIMESTAMPADD(SECOND, 1.5, DATE(dt)) AS t FROM images ORDER BY t DESC, id LIMIT 15
[ordered] SELECT id, dt - INTERVAL -1 DAY AS t FROM images ORDER BY t, id LIMIT 10
[ordered] SELECT id, dt + INTERVAL '1:30' HOUR_MINUTE AS t FROM images ORDER BY t DESC, id LIMIT 10
[ordered] SELECT id, dt + INTERVAL '-1 2:03:04.5' DAY_MICROSECOND AS t FROM images ORDER BY t, id LIMIT 10
[ordered] SELECT id, DATE(dt) + INTERVAL id MICROSECOND AS t FROM images ORDER BY t DESC, id LIMIT 10
SELECT MIN(dt + INTERVAL id MICROSECOND), MAX(TIMESTAMPADD(MICROSECOND, id * 1000, dt)), MAX(dt - INTERVAL 0.000001 SECOND) FROM images
SELECT MIN(DATE(dt) + INTERVAL id / 3 SECOND), MAX(DATE(dt) + INTERVAL id / 3 SECOND) FROM images
SELECT MIN(DATE(dt) + INTERVAL 1.5 SECOND), MAX(DATE(dt) + INTERVAL 1.25 SECOND) FROM images
SELECT user_id % 4 AS g, MAX(DATE(dt) + INTERVAL id / 3 SECOND) FROM images GROUP BY 1
SELECT DATE(dt) + INTERVAL 1 DAY AS d, COUNT(*) FROM images GROUP BY 1
SELECT dt + INTERVAL 1 DAY AS d, COUNT(*) FROM images GROUP BY 1
[either] SELECT DATE(dt) + INTERVAL 1.5 SECOND AS d, COUNT(*) FROM images GROUP BY 1
[either] SELECT DISTINCT DATE(dt) + INTERVAL 0.5 SECOND FROM images
SELECT DISTINCT CAST(DATE(dt) + INTERVAL 0.5 SECOND AS DATETIME(6)) FROM images
-- Dates against datetimes.
SELECT COUNT(*) FROM images WHERE DATE(dt) = '2025-03-02'
SELECT COUNT(*) FROM images WHERE dt > DATE'2025-03-02'
SELECT COUNT(*) FROM images WHERE dt BETWEEN '2025-03-02' AND '2025-03-02 23:59:59'
SELECT COUNT(*) FROM images WHERE dt = TIMESTAMP(DATE(dt), TIME(dt))
SELECT COUNT(*) FROM images WHERE DATE(dt) < dt
SELECT MAX(IF(id % 2, DATE(dt), dt)), MIN(IF(id % 2, DATE(dt), dt)) FROM images
SELECT MIN(GREATEST(DATE(dt), DATE'2025-03-02')), MAX(LEAST(dt, DATE'2025-03-02')) FROM images
SELECT MIN(COALESCE(DATE(dt), dt)), MAX(IFNULL(NULL, DATE(dt))) FROM images
[ordered] SELECT id, IF(id % 2, DATE(dt), dt) AS t FROM images ORDER BY t DESC, id LIMIT 20
[ordered] SELECT id, IF(id % 2, DATE(dt), dt) AS t FROM images ORDER BY t, id LIMIT 20
SELECT IF(id % 2, DATE(dt), dt) AS t, COUNT(*) FROM images GROUP BY 1
[ordered] [ci] SELECT DATE_FORMAT(dt, '%d/%m/%Y %H') AS f, COUNT(*) FROM images GROUP BY 1 ORDER BY f DESC LIMIT 10
[ci] SELECT MIN(DATE_FORMAT(dt, '%d/%m/%Y %H:%i:%s.%f')), MAX(DAYNAME(dt)), MIN(MONTHNAME(dt)) FROM images
-- Zero dates and zero parts (sql_mode allows them).
SELECT MIN(IF(id % 5 = 0, CAST('0000-00-00' AS DATE), DATE(dt))), MAX(IF(id % 5 = 0, CAST('0000-00-00' AS DATE), DATE(dt))) FROM images
SELECT IF(id % 5 = 0, CAST('0000-00-00' AS DATE), DATE(dt)) AS d, COUNT(*) FROM images GROUP BY 1
[ordered] SELECT id, IF(id % 3 = 0, CAST('0000-00-00 00:00:00' AS DATETIME), dt) AS d FROM images ORDER BY d, id LIMIT 20
SELECT MIN(IF(id % 7 = 0, CAST('2025-00-15' AS DATE), DATE(dt))), MAX(IF(id % 7 = 0, CAST('2025-03-00' AS DATE), DATE(dt))) FROM images
SELECT IF(id % 2, CAST('2025-03-00' AS DATE), CAST('2025-02-28' AS DATE)) AS d, COUNT(*) FROM images GROUP BY 1
[ordered] SELECT id, IF(id % 2, CAST('2025-03-00' AS DATE), CAST('2025-02-28' AS DATE)) AS d FROM images WHERE id < 30 ORDER BY d DESC, id
[ordered] SELECT id, IF(id % 4 = 0, CAST('2025-00-00' AS DATE), DATE(dt)) AS d FROM images ORDER BY d, id LIMIT 20
-- MIN, MAX, ORDER BY and GROUP BY of temporal values with ties.
SELECT user_id, MIN(dt), MAX(dt), MIN(DATE(dt)), MAX(TIME(dt)) FROM images GROUP BY user_id
SELECT parent_id, MIN(dt), MAX(dt) FROM images GROUP BY parent_id
SELECT MIN(dt), MAX(dt), MIN(created_at), MAX(created_at) FROM images, users WHERE images.id = users.id AND users.id = 7
[ordered] SELECT dt, id FROM images ORDER BY dt DESC, id DESC LIMIT 40
[ordered] SELECT DATE(dt) AS d, HOUR(dt) AS h, COUNT(*) FROM images GROUP BY 1, 2 ORDER BY d DESC, h DESC LIMIT 12
[either] SELECT DATE(dt), COUNT(*) FROM images GROUP BY DATE(dt) DESC LIMIT 2
SELECT EXTRACT(MICROSECOND FROM dt) AS us, COUNT(*) FROM images GROUP BY 1
SELECT MAX(UNIX_TIMESTAMP(dt)), MIN(UNIX_TIMESTAMP(dt)), SUM(UNIX_TIMESTAMP(dt)), AVG(UNIX_TIMESTAMP(dt)) FROM images
SELECT SUM(dt), SUM(DATE(dt)), MIN(dt + 0), MAX(DATE(dt) + 0) FROM images
SELECT MAX(YEAR(dt)), MIN(DAYOFYEAR(dt)), SUM(MICROSECOND(dt)), AVG(HOUR(dt)) FROM images
SELECT MIN(FROM_UNIXTIME(1740000000 + id * 0.5)), MAX(FROM_UNIXTIME(1740000000 + id * 0.5)) FROM images
[ordered] SELECT id, FROM_UNIXTIME(1740000000 + id / 4) AS t FROM images ORDER BY t DESC, id LIMIT 10
SELECT MIN(STR_TO_DATE(CONCAT('2025-03-01 10:00:', id % 60, '.5'), '%Y-%m-%d %H:%i:%s.%f')) FROM images
SELECT MIN(TIMESTAMP(DATE(dt), '10:00:00.5')), MAX(TIMESTAMP(dt, '-01:00:00')) FROM images
SELECT MAX(LAST_DAY(dt)), MIN(DATEDIFF(dt, '2025-01-01')), MAX(TIMESTAMPDIFF(MICROSECOND, '2025-03-01', dt)) FROM images
[ordered] SELECT id, TIMESTAMPDIFF(SECOND, dt, '2025-03-02') AS s FROM images ORDER BY s, id LIMIT 15

-- ======================================================================
-- 3. NULL order, LIMIT and OFFSET edges, big unsigned values
-- ======================================================================
[ordered] SELECT parent_id FROM images ORDER BY parent_id DESC LIMIT 300
[ordered] SELECT id, parent_id FROM images ORDER BY parent_id IS NULL, parent_id DESC, id LIMIT 30 OFFSET 250
[ordered] SELECT id, parent_id FROM images ORDER BY ISNULL(parent_id) DESC, parent_id, id LIMIT 20 OFFSET 130
[ordered] SELECT id, parent_id FROM images ORDER BY COALESCE(parent_id, 999) DESC, id LIMIT 10
[ordered] SELECT id, NULLIF(user_id % 5, 0) AS n FROM images ORDER BY n DESC, id DESC LIMIT 40 OFFSET 300
[ordered] SELECT DISTINCT parent_id FROM images ORDER BY parent_id DESC
[ordered] SELECT parent_id, COUNT(*) FROM images GROUP BY parent_id ORDER BY parent_id DESC LIMIT 3
[either] SELECT parent_id, COUNT(*) FROM images GROUP BY parent_id DESC LIMIT 3
SELECT MIN(parent_id), MAX(parent_id), SUM(parent_id), AVG(parent_id), COUNT(parent_id) FROM images WHERE id < 21
SELECT user_id, MIN(parent_id), MAX(parent_id) FROM images GROUP BY user_id
[ordered] SELECT MAX(parent_id) AS m, user_id FROM images GROUP BY user_id ORDER BY m DESC, user_id LIMIT 30
[ordered] SELECT MIN(parent_id) AS m, user_id FROM images GROUP BY user_id ORDER BY m, user_id DESC LIMIT 30
-- LIMIT and OFFSET at the edges of BIGINT UNSIGNED.
[ordered] SELECT id FROM images ORDER BY id LIMIT 390, 18446744073709551615
[ordered] SELECT id FROM images ORDER BY id DESC LIMIT 18446744073709551615 OFFSET 395
[ordered] SELECT id FROM images ORDER BY id LIMIT 9223372036854775807 OFFSET 396
[ordered] SELECT id FROM images ORDER BY id LIMIT 18446744073709551614 OFFSET 1
[ordered] SELECT id FROM images ORDER BY id LIMIT 1 OFFSET 18446744073709551615
[ordered] SELECT id FROM images ORDER BY id LIMIT 18446744073709551615, 1
SELECT id FROM images LIMIT 18446744073709551615
SELECT user_id, COUNT(*) FROM images GROUP BY user_id LIMIT 90, 18446744073709551615
[ordered] SELECT DISTINCT user_id FROM images ORDER BY user_id LIMIT 18446744073709551615 OFFSET 85
-- LIMIT on an aggregate without GROUP BY: one row, or none.
SELECT COUNT(*) FROM images LIMIT 1, 1
SELECT COUNT(*), MAX(id) FROM images LIMIT 0
SELECT COUNT(*) FROM images LIMIT 1 OFFSET 0
SELECT SUM(id) FROM images WHERE id > 1000 LIMIT 1 OFFSET 1
SELECT MAX(id) FROM images LIMIT 2
[ordered] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY user_id LIMIT 1000 OFFSET 80
[ordered] SELECT id FROM images ORDER BY id LIMIT 0 OFFSET 5
[ordered] SELECT id FROM images WHERE id IN (1, 3, 4, 11) ORDER BY id LIMIT 3 OFFSET 1
-- Big unsigned keys and values.
[ordered] SELECT id FROM users ORDER BY id DESC LIMIT 6
SELECT MAX(id), MIN(id), SUM(id), AVG(id), COUNT(*) FROM users
SELECT COUNT(*), SUM(id), AVG(id), MIN(id) FROM users WHERE id > 4294967295
SELECT id % 1000 AS m, COUNT(*), SUM(id) FROM users GROUP BY 1
[ordered] SELECT id, id DIV 2 AS h FROM users ORDER BY h DESC, id LIMIT 6
[ordered] SELECT id, CAST(id AS SIGNED) AS s FROM users ORDER BY s, id LIMIT 6
[ordered] SELECT id, CAST(id AS SIGNED) AS s FROM users ORDER BY s DESC, id LIMIT 6
SELECT MIN(CAST(id AS SIGNED)), MAX(CAST(id AS SIGNED)), SUM(CAST(id AS SIGNED)) FROM users
SELECT BIT_AND(id), BIT_OR(id), BIT_XOR(id) FROM users
SELECT BIT_AND(id), BIT_OR(id), BIT_XOR(id), COUNT(*) FROM images WHERE id > 1000
SELECT user_id % 3 AS g, BIT_AND(id), BIT_OR(id), BIT_XOR(id) FROM images GROUP BY 1
SELECT BIT_AND(parent_id), BIT_OR(parent_id), BIT_XOR(parent_id) FROM images WHERE id < 21
[ordered] SELECT id, id ^ 18446744073709551615 AS x FROM users ORDER BY x LIMIT 5
[ordered] SELECT id, id + 0.5 AS d FROM users ORDER BY d DESC LIMIT 6
[ordered] SELECT id, id * 1e0 AS f FROM users ORDER BY f DESC, id LIMIT 6
SELECT id * 1e0 AS f, COUNT(*) FROM users WHERE id > 100 GROUP BY 1
SELECT DISTINCT id * 1e0 FROM users WHERE id > 100
SELECT MAX(id * 1e0), MIN(id * 1e0), SUM(id * 1e0) FROM users WHERE id > 100
[ordered] SELECT id, CAST(id AS CHAR) AS c FROM users ORDER BY c DESC LIMIT 10
[ordered] SELECT id, CAST(id AS DOUBLE) AS d FROM users ORDER BY d DESC, id DESC LIMIT 5
[refuse:HAVING across shards] SELECT CAST(id AS DOUBLE) AS d, COUNT(*) FROM users GROUP BY d HAVING d > 1e10
[ordered] SELECT id, CAST(id AS DECIMAL(30, 2)) / 3 AS q FROM users ORDER BY q DESC LIMIT 6
SELECT user_id, COUNT(*) FROM images WHERE user_id > 4294967295 GROUP BY user_id
[ordered] SELECT user_id, id FROM images ORDER BY user_id DESC, id LIMIT 15
SELECT SUM(user_id), AVG(user_id), MAX(user_id), BIT_OR(user_id) FROM images WHERE user_id > 90
-- Negative sums and averages, rounding half away from zero.
SELECT SUM(CAST(id AS SIGNED) - 200), AVG(CAST(id AS SIGNED) - 200), AVG(200.5 - CAST(id AS SIGNED)) FROM images
SELECT user_id % 3 AS g, AVG(CAST(id AS SIGNED) - 250), SUM(CAST(id AS SIGNED) * -0.01) FROM images GROUP BY 1
SELECT AVG(IF(id % 2, -0.00005, 0.00005)), AVG(IF(id % 3, -1, 2)) FROM images
SELECT AVG(CAST(id AS SIGNED) * -1), AVG(-0.5 * (id % 2)) FROM images WHERE id IN (1, 2, 3, 4, 5, 6, 7)
-- ORDER BY columns and expressions not selected.
[ordered] SELECT id FROM images ORDER BY dt DESC, id LIMIT 5
[ordered] SELECT id FROM images ORDER BY user_id % 7, id DESC LIMIT 9
[ordered] SELECT name FROM images ORDER BY id DESC LIMIT 4
[ordered] SELECT id, name FROM images ORDER BY CONCAT(name, id) DESC, id LIMIT 5
[ordered] SELECT id FROM images ORDER BY parent_id DESC, dt, id LIMIT 12 OFFSET 7
[ordered] SELECT user_id FROM images GROUP BY user_id ORDER BY COUNT(*) DESC, user_id LIMIT 5
[ordered] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY 2 DESC, 1 DESC LIMIT 5
[ordered] SELECT id, user_id FROM images ORDER BY 2 DESC, 1 LIMIT 7

-- ======================================================================
-- 4. More names, and more merges
-- ======================================================================
-- Comments before a select expression that MariaDB leaves out of the name
-- (a column, a number, a string, NULL, TRUE), pinned statements (sent as
-- written), an executable comment, 4-byte characters and an introducer on
-- a bit literal when pinned, keywords inside expressions. The failing
-- shapes are in the last section.
SELECT MAX(id), /* d */ MIN(id) FROM images WHERE id = 7
[ordered] SELECT id, /* d */ 1.5, /* e */ 'x', /* f */ NULL, /* g */ name, /* h */ TRUE, /* i */ (id) FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, /* k */ (1), /* l */ +1, /* m */ (NULL) FROM images ORDER BY id LIMIT 3
SELECT id, /* c */ id + 1, /* d */ -1 FROM images WHERE id = 7
SELECT MAX(id), /*! MIN(id) */ FROM images
SELECT id, CONCAT('😀', name) FROM images WHERE id = 7
[noproxy] SELECT id, _binary b'1000001' FROM images WHERE id = 7
[ordered] SELECT id, CONCAT(name, '/* not */'), CONCAT(name, '-- x'), CONCAT(name, "it's"), CONCAT(name, 'a`b') FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, CONCAT(name, '\''), CONCAT(name, "a\"b"), CONCAT(name, 'a	b'), CONCAT(name, '\0') FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, TRIM(LEADING 'x' FROM name), EXTRACT(YEAR FROM dt), SUBSTRING(name FROM 2 FOR 3), POSITION('a' IN name) FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, CASE id WHEN 1 THEN 'a' ELSE 'b' END, CASE WHEN id > 1 THEN 1 END, id IN (1, 2), id BETWEEN 1 AND 2, INTERVAL(id, 1, 10) FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, CONVERT(name USING utf8mb4), CHAR(65 USING utf8mb4), name LIKE 'a%' ESCAPE '!', name COLLATE utf8mb4_bin FROM images ORDER BY id LIMIT 3
SELECT MAX(TRIM(LEADING 'x' FROM name)), MIN(EXTRACT(DAY_MICROSECOND FROM dt)), MAX(SUBSTRING(name FROM 2)) FROM images
SELECT EXTRACT(HOUR FROM dt), COUNT(*) FROM images GROUP BY EXTRACT(HOUR FROM dt)
-- Types and decimals of merged aggregates.
SELECT SUM(id), SUM(parent_id), MIN(parent_id), MAX(dt), AVG(id), COUNT(*) FROM images WHERE id > 1000
SELECT MAX(dt), MIN(DATE(dt)), MAX(TIME(dt)), MIN(CAST(dt AS DATETIME(2))), MAX(CAST(dt AS TIME(3))) FROM images
SELECT MAX(1.5), SUM(2), AVG(0.5e0), COUNT(NULL), MIN('x'), SUM(NULL) FROM images
SELECT AVG(CAST(id AS DECIMAL(65, 30))), SUM(CAST(id AS DECIMAL(65, 30))), AVG(CAST(id AS DECIMAL(10, 0))) FROM images
SELECT AVG(CAST(user_id AS DECIMAL(30, 5))), SUM(CAST(user_id AS DECIMAL(30, 5))) FROM images
SELECT AVG(id * 0.001), SUM(id * 0.001), AVG(id * 1.5e0), SUM(id * 1.5e0) FROM images
[refuse:over a division] SELECT AVG(id / 3) FROM images
-- More temporal merges.
SELECT MAX(dt) FROM images WHERE dt < '2025-03-02 12:00:00.1'
SELECT MIN(TIMESTAMP'2025-03-01 00:00:00.5' + INTERVAL id SECOND), MAX(TIMESTAMP'2025-03-01 00:00:00.5' + INTERVAL id SECOND) FROM images
[ordered] SELECT id, SEC_TO_TIME((id % 7) * 90000) AS t FROM images ORDER BY t DESC, id LIMIT 40
[ordered] SELECT id, SEC_TO_TIME((CAST(id AS SIGNED) - 200) / 4) AS t FROM images ORDER BY t, id LIMIT 40 OFFSET 180
SELECT SEC_TO_TIME((id % 7) * 90000) AS t, COUNT(*) FROM images GROUP BY 1
SELECT DISTINCT SEC_TO_TIME((CAST(id AS SIGNED) % 9 - 4) * 90000) FROM images
SELECT MIN(SEC_TO_TIME((CAST(id AS SIGNED) - 200) / 4)), MAX(SEC_TO_TIME((CAST(id AS SIGNED) - 200) / 4)) FROM images
SELECT MIN(CAST(SEC_TO_TIME((CAST(id AS SIGNED) % 9 - 4) * 90000) AS CHAR)), MAX(CAST(SEC_TO_TIME(id * 9000) AS CHAR)) FROM images
[either] SELECT user_id % 5 AS g, COUNT(*) FROM images GROUP BY g
-- Aliases the server trims or compares case-insensitively.
[ordered] SELECT id, -CAST(id AS SIGNED) AS `é` FROM images ORDER BY `É` LIMIT 3
[ordered] SELECT id, -CAST(id AS SIGNED) AS Neg FROM images ORDER BY NEG, id LIMIT 3
[either] SELECT user_id % 3 AS `  g`, COUNT(*) FROM images GROUP BY g
-- Doubles: -0 and 0 group together (the first row read names the group);
-- a DOUBLE with fixed decimals (PI() has 6) over the whole table, where
-- the shards' rounded partial sums happen to agree (see the last section).
SELECT IF(id = 3, 0e0, -1e0 * 0) AS z, COUNT(*) FROM images WHERE id > 2 GROUP BY 1
SELECT DISTINCT IF(id = 3, 0e0, -1e0 * 0) AS z FROM images WHERE id > 2
SELECT MAX(IF(id = 3, 0e0, -1e0 * 0)), MIN(IF(id = 3, 0e0, -1e0 * 0)) FROM images WHERE id > 2
[either] SELECT SUM(id * PI()), AVG(id * PI()), MIN(id * PI()), MAX(id * PI()) FROM images
[either] SELECT user_id % 2, SUM(id * PI()) FROM images GROUP BY user_id % 2
-- Computed temporal values that print alike but compare apart, under
-- TIMESTAMPADD and as merged aggregates: refused where two print alike.
-- FROM_UNIXTIME, MAKETIME and TIMESTAMP(d, t) hold what they print.
[refuse:ordering by a computed DATETIME(4) across shards where two values print alike] [ordered] SELECT id, TIMESTAMPADD(SECOND, IF(id = 4, 1/3, 0.3333), TIMESTAMP'2025-03-01 00:00:00') AS t FROM images WHERE id IN (1, 4) ORDER BY t DESC, id
[refuse:ordering by a computed DATETIME(4) across shards where two values print alike] [ordered] SELECT id % 2 AS g, MAX(TIMESTAMP'2025-03-01 00:00:00' + INTERVAL IF(id = 4, 1/3, 0.3333) SECOND) AS m FROM images WHERE id IN (1, 4) GROUP BY 1 ORDER BY m, g
[refuse:ordering by a computed TIME(4) across shards where two values print alike] [ordered] SELECT id % 2 AS g, MIN(TIME'10:00:00' + INTERVAL IF(id = 4, 1/3, 0.3333) SECOND) AS m FROM images WHERE id IN (1, 4) GROUP BY 1 ORDER BY m, g
[refuse:ordering by a computed DATETIME(4) across shards where two values print alike] [ordered] SELECT id % 2 AS g, MAX(TIMESTAMPADD(SECOND, IF(id = 4, 1/3, 0.3333), TIMESTAMP'2025-03-01 00:00:00')) AS m FROM images WHERE id IN (1, 4) GROUP BY 1 ORDER BY m, g
SELECT MAX(TIMESTAMPADD(SECOND, IF(id = 4, 1/3, 0.3333), TIMESTAMP'2025-03-01 00:00:00')), MIN(TIMESTAMP'2025-03-01 00:00:00' + INTERVAL IF(id = 4, 1/3, 0.3333) SECOND) FROM images WHERE id IN (1, 4)
[ordered] SELECT id, FROM_UNIXTIME(1740000000 + IF(id = 4, 1/3, 0.3333)) AS t FROM images WHERE id IN (1, 4) ORDER BY t DESC, id
[ordered] SELECT id, MAKETIME(10, 0, IF(id = 4, 1/3, 0.3333)) AS t FROM images WHERE id IN (1, 4) ORDER BY t DESC, id
[ordered] SELECT id, TIMESTAMP(DATE'2025-03-01', IF(id = 4, 1/3, 0.3333)) AS t FROM images WHERE id IN (1, 4) ORDER BY t DESC, id
[ordered] SELECT id, IF(id % 3 = 0, NULL, name) AS n FROM images ORDER BY n DESC, id LIMIT 30 OFFSET 240
[ordered] SELECT id, IF(id % 3 = 0, NULL, dt) AS d FROM images ORDER BY d DESC, id LIMIT 30 OFFSET 250
[ordered] SELECT id, IF(id % 3 = 0, NULL, TIMEDIFF(dt, '2025-03-02 00:00:00')) AS d FROM images ORDER BY d DESC, id LIMIT 30 OFFSET 250
SELECT SUM(ROUND(id * 1.075e0, 2)), AVG(ROUND(id * 1.075e0, 2)) FROM images WHERE id IN (1, 3, 4, 11)
-- AVG of a DECIMAL: the server rounds the quotient to the AVG's scale
-- (the argument's + 4), except at a multiple of 9 (see the last section).
SELECT AVG(id), AVG(id * 0.1), AVG(id * 0.0001), AVG(id * 0.000001) FROM images WHERE id IN (1, 3, 4)
-- A SELECT * beside hidden sort columns.
[ordered] SELECT * FROM images ORDER BY dt DESC, id LIMIT 5
[ordered] SELECT id, images.* FROM images ORDER BY user_id DESC, id LIMIT 5
[ordered] SELECT id + 0 AS k, images.* FROM images ORDER BY k DESC LIMIT 3
[ordered] SELECT images.*, TIMEDIFF(dt, '2025-03-02 00:00:00') AS t FROM images ORDER BY t, id LIMIT 4
[ordered] SELECT *, id + 1 FROM images ORDER BY id DESC LIMIT 2
[ordered] [ci] SELECT images.*, name AS n2 FROM images ORDER BY n2 DESC, id LIMIT 6
-- Mixed types under MIN and MAX.
SELECT MAX(IF(id % 2, id, dt)), MIN(IF(id % 2, id, dt)) FROM images
[ci] SELECT MAX(COALESCE(parent_id, 'none')), MIN(COALESCE(parent_id, 'none')), MIN(IF(id % 2, id, name)) FROM images
SELECT MAX(IF(id % 2, dt, DATE(dt) + INTERVAL 1 DAY)), MIN(IF(id % 2, TIME(dt), TIMEDIFF(dt, '2025-03-02 00:00:00'))) FROM images

-- ======================================================================
-- 5. Wrong answers found by corpus4, minimised
-- ======================================================================
-- Each got a wrong answer (or an error where the server answers) when
-- corpus4 was written. All run now: the router names the columns as the
-- server does, matches an alias by the name the server keeps, refuses the
-- SUM and AVG it cannot add up exactly, and cuts a DECIMAL quotient where
-- the server does.
--
-- A comment before a select expression that is not the first: MariaDB
-- names the column from the comment on (`, /* d */ MIN(id)` is named
-- "/* d */ MIN(id)"; after SELECT or DISTINCT the comment is left out, and
-- a column, a string, NULL, TRUE or a positive number is named by itself).
-- The router's names dropped the comment.
-- Was a wrong answer (found by corpus4): names the column 'MIN(id)' for the server's '/* d */ MIN(id)'
SELECT MAX(id) /* c */, /* d */ MIN(id), COUNT(*) /* e */ FROM images
-- Was a wrong answer (found by corpus4): names the column 'MIN(id)' for the server's '/* d */ MIN(id)'
SELECT MAX(id), /* d */ MIN(id) FROM images
-- Was a wrong answer (found by corpus4): names the column 'COUNT(*)' for the server's '/* c */ COUNT(*)'
SELECT user_id % 3, /* c */ COUNT(*) FROM images GROUP BY user_id % 3
-- Was a wrong answer (found by corpus4): names the column 'parent_id IS NULL' for the server's '/* c */ parent_id IS NULL'
SELECT DISTINCT user_id % 2, /* c */ parent_id IS NULL FROM images
-- Was a wrong answer (found by corpus4): names the column 'id + 1' for the server's '/* c */ id + 1'
[ordered] SELECT id, /* c */ id + 1 FROM images ORDER BY id LIMIT 3
-- Was a wrong answer (found by corpus4): names the column 'id + 1' for the server's '/*c*/id + 1'
[ordered] SELECT id,/*c*/id + 1 FROM images ORDER BY id LIMIT 3
-- Was a wrong answer (found by corpus4): names the columns 'id * 2' and 'id - 1' for the server's '/*c*/ /*d*/ id * 2' and '/* e */<tab>id - 1'
[ordered] SELECT id, /*c*/ /*d*/ id * 2, /* e */	id - 1 FROM images ORDER BY id LIMIT 3
-- Was a wrong answer (found by corpus4): names the column '-1' for the server's '/* c */ -1'
[ordered] SELECT id, /* c */ -1 FROM images ORDER BY id LIMIT 3
-- Was a wrong answer (found by corpus4): names the column '0x41' for the server's '/* h */ 0x41'
[ordered] [noproxy] SELECT id, /* h */ 0x41 FROM images ORDER BY id LIMIT 3
-- Was a wrong answer (found by corpus4): names the column "b'1'" for the server's "/* i */ b'1'"
[ordered] [noproxy] SELECT id, /* i */ b'1' FROM images ORDER BY id LIMIT 3
-- Was a wrong answer (found by corpus4): names the column "DATE'2020-01-01'" for the server's "/* j */ DATE'2020-01-01'"
[ordered] SELECT id, /* j */ DATE'2020-01-01' FROM images ORDER BY id LIMIT 3
--
-- A bit literal under a character set introducer: the server names the
-- column as written ("_binary b'1000001'"); the router did not alias an
-- introducer's column, and reprinted the literal as 0b1000001.
-- Was a wrong answer (found by corpus4): names the column '_binary 0b1000001' for the server's "_binary b'1000001'"
[ordered] [noproxy] SELECT id, _binary b'1000001' FROM images ORDER BY id LIMIT 2
-- Was a wrong answer (found by corpus4): names the column '_latin1 0b1000001' for the server's "_latin1 b'1000001'" (and '_utf8mb4 0b1000010' for "_utf8mb4 B'1000010'")
[ordered] [noproxy] SELECT id, _latin1 b'1000001', _utf8mb4 B'1000010', _binary 0b1000011 FROM images ORDER BY id LIMIT 2
-- Was a wrong answer (found by corpus4): the same beside introducers on hex literals, which are named right
[ordered] [noproxy] SELECT id, _utf8mb4 0x41, _latin1 X'42', _binary b'1000001' FROM images ORDER BY id LIMIT 3
--
-- A character outside the BMP (4 bytes in UTF-8: emoji, U+1D11E) in the
-- text of an unaliased computed column. The router aliased the column with
-- that text, and MariaDB refuses identifiers with 4-byte characters, so
-- every shard failed; the server names the column with a '?' for each such
-- character, which the router's alias now does too. (The same statement
-- pinned to one shard, sent as written, runs.)
-- Was a wrong answer (found by corpus4): the router fails with shard error 1300 'Invalid utf8mb4 character string' where the server answers
[ci] SELECT MAX(CONCAT(name, '😀')) FROM images
-- Was a wrong answer (found by corpus4): the router fails with shard error 1300 'Invalid utf8mb4 character string' where the server answers
[ci] SELECT MAX(CONCAT('😀', name)) FROM images
-- Was a wrong answer (found by corpus4): the router fails with shard error 1300 'Invalid utf8mb4 character string' where the server answers
[ordered] SELECT id, CONCAT('😀', name) FROM images ORDER BY id LIMIT 3
-- Was a wrong answer (found by corpus4): the router fails with shard error 1300 'Invalid utf8mb4 character string' where the server answers
[ordered] SELECT id, '😀' = name FROM images ORDER BY id LIMIT 3
-- Was a wrong answer (found by corpus4): the router fails with shard error 1300 'Invalid utf8mb4 character string' where the server answers
SELECT DISTINCT CONCAT(LEFT(name, 0), '😀') FROM images
-- Was a wrong answer (found by corpus4): the router fails with shard error 1300 'Invalid utf8mb4 character string' where the server answers
[ci] SELECT user_id % 2, MAX(CONCAT(name, '𝄞')) FROM images GROUP BY user_id % 2
-- Was a wrong answer (found by corpus4): the router fails with shard error 1300 'Invalid utf8mb4 character string' where the server answers (a name past 255 bytes)
[ci] SELECT MIN(CONCAT(name, '😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀')) FROM images
-- Was a wrong answer (found by corpus4): the router fails with shard error 1300 'Invalid utf8mb4 character string' where the server answers (a name past 255 bytes)
[ordered] [ci] SELECT id, CONCAT(name, 'y😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀') FROM images ORDER BY id LIMIT 2
--
-- An alias with leading spaces: MariaDB strips them (warning 1466), so
-- ORDER BY k finds the alias `  k`; the router did not match it and sent
-- k to the shards as a column.
-- Was a wrong answer (found by corpus4): the router fails with shard error 1054 "Unknown column 'k'" where the server orders by the alias
[ordered] SELECT id, CAST(id AS SIGNED) * -1 AS `  k` FROM images ORDER BY k LIMIT 5
--
-- SUM and AVG of a DOUBLE with fixed decimals whose value has more digits
-- than it prints: PI() has 6 decimals (PI() * id too), and ROUND(x, 3) *
-- 1.1 has 3. Each shard sends its partial sum rounded to them; the server
-- sums the whole values and rounds once. (SUM and AVG over a division are
-- refused for the same reason; these have no division.) They are refused
-- now, unless the argument holds what it prints (a column, a CAST, ROUND).
-- Was a wrong answer (found by corpus4): 59.690261 for the server's 59.69026 (ids on four shards: 3.141593 + 9.424778 + 12.566371 + 34.557519)
[refuse:of a DOUBLE printed with] SELECT SUM(id * PI()) FROM images WHERE id IN (1, 3, 4, 11)
-- Was a wrong answer (found by corpus4): 14.92256525 for the server's 14.9225651046
[refuse:of a DOUBLE printed with] SELECT AVG(id * PI()) FROM images WHERE id IN (1, 3, 4, 11)
-- Was a wrong answer (found by corpus4): 12.566372 for the server's 12.566371
[refuse:of a DOUBLE printed with] SELECT SUM(PI()) FROM images WHERE id IN (1, 3, 4, 11)
-- Was a wrong answer (found by corpus4): 65.661 for the server's 65.66 (prints 65.660)
[refuse:of a DOUBLE printed with] SELECT SUM(ROUND(id * PI(), 3) * 1.1) FROM images WHERE id IN (1, 3, 4, 11)
--
-- AVG of a DECIMAL whose scale (the argument's + 4) is a multiple of 9:
-- MariaDB truncates the quotient there (2.666666666), while it rounds at
-- other scales (2.6667, 0.0000026667): its division works to the next
-- multiple of nine digits and rounds from there, as the router does now.
-- Was a wrong answer (found by corpus4): '0.000026667' for the server's '0.000026666' (scale 9)
SELECT AVG(id * 0.00001) FROM images WHERE id IN (1, 3, 4)
-- Was a wrong answer (found by corpus4): '2.666666667' for the server's '2.666666666'
SELECT AVG(CAST(id AS DECIMAL(20, 5))) FROM images WHERE id IN (1, 3, 4)
-- Was a wrong answer (found by corpus4): '-0.000026667' for the server's '-0.000026666'
SELECT AVG(CAST(id AS SIGNED) * -0.00001) FROM images WHERE id IN (1, 3, 4)
-- Was a wrong answer (found by corpus4): '0.000000000000026667' for the server's '0.000000000000026666' (scale 18)
SELECT AVG(id * 0.00000000000001) FROM images WHERE id IN (1, 3, 4)
-- Was a wrong answer (found by corpus4): '2.666666666666666666666666667' and '…666666666667' for the server's '…666' (scales 27 and 36)
SELECT AVG(CAST(id AS DECIMAL(40, 23))), AVG(CAST(id AS DECIMAL(65, 32))) FROM images WHERE id IN (1, 3, 4)
-- Was a wrong answer (found by corpus4): per group: '214.814814815' for the server's '214.814814814'
SELECT user_id % 3, AVG(CAST(id AS DECIMAL(20, 5))) FROM images GROUP BY user_id % 3
