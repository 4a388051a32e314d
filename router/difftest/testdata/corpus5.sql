-- A fifth hand-written differential corpus for the sharding router, by a
-- tester who did not write it. Same format and tags as corpus.sql …
-- corpus4.sql (see readCorpus in corpus_test.go); TestHandCorpus5 runs it.
-- Shard placement: see corpus3.sql's header.

-- ======================================================================
-- 1. Shard-key literals in numeric contexts: hex and bit literals are
--    numbers next to an integer column (0x37 is 55, not '7')
-- ======================================================================
SELECT id FROM images WHERE id = 0x37
SELECT id FROM images WHERE id = X'37'
SELECT id FROM images WHERE id = x'0037'
SELECT id FROM images WHERE id = b'110111'
SELECT id FROM images WHERE id = 0b110111
SELECT id FROM images WHERE id IN (0x37, 0x38)
SELECT id FROM images WHERE id IN (0x37, 7)
SELECT id FROM images WHERE id IN (X'3131', 11)
SELECT id FROM images WHERE 0x37 = id
SELECT id FROM images WHERE id = 0x37 + 0
SELECT COUNT(*) FROM likes WHERE image_id = 0x37
SELECT id FROM users WHERE id = 0xFFFFFFFFFFFFFFFF
SELECT id FROM users WHERE id = 0x8000000000000000
SELECT id FROM users WHERE id = 0x7FFFFFFFFFFFFFFF
SELECT id FROM users WHERE id IN (0x0100000000, 5)
-- Adjacent strings concatenate: '5' '5' is '55'.
SELECT id FROM images WHERE id = '5' '5'
SELECT id FROM images WHERE id IN ('1' '1', 3)
SELECT id FROM images WHERE id = '5' "5"
-- Expressions whose integer value MariaDB rounds where Go truncates.
SELECT id FROM images WHERE id = CAST(7.5 AS UNSIGNED)
SELECT id FROM images WHERE id = CAST(7.5e0 AS UNSIGNED)
SELECT id FROM images WHERE id = CAST('7.5' AS UNSIGNED)
SELECT id FROM images WHERE id = CONVERT(6.5, SIGNED)
SELECT id FROM images WHERE id = ROUND(6.5)
SELECT id FROM images WHERE id = ROUND(6.5e0)
SELECT id FROM images WHERE id = ROUND(7.5e0)
SELECT id FROM images WHERE id = 7.5 DIV 1
SELECT id FROM images WHERE id = 15 >> 1
SELECT id FROM images WHERE id = 14 / 2
SELECT id FROM images WHERE id = LENGTH('日本')
SELECT id FROM images WHERE id = CHAR_LENGTH('日本')
SELECT id FROM images WHERE id = IF(1, 7, 3)
SELECT id FROM images WHERE id = COALESCE(NULL, 7)
SELECT id FROM images WHERE id = 6.99999999999999999e0
SELECT id FROM images WHERE id = 7.00000000000000001
SELECT id FROM images WHERE id = 5.5e1
SELECT id FROM images WHERE id = '5.5e1'
SELECT id FROM images WHERE id = ' 5.5E+1xyz'
SELECT id FROM users WHERE id = 9223372036854775806 + 1
SELECT id FROM users WHERE id = 9223372036854775808 + 5
SELECT id FROM users WHERE id = 4294967295 + 1
SELECT id FROM users WHERE id = 1 << 32
SELECT id FROM users WHERE id = -1 + 0
SELECT id FROM users WHERE id = CAST(-1 AS UNSIGNED) - 0
SELECT id FROM users WHERE id = 9223372036854775807 | 1
SELECT id FROM users WHERE id = 9223372036854775808.0
SELECT id FROM users WHERE id = '9223372036854775808.0'
SELECT id FROM users WHERE id = 9.223372036854775808e18
SELECT id FROM users WHERE id IN (9.223372036854775808e18)
SELECT id FROM users WHERE id IN ('4294967296', 9223372036854775808)
-- Comparisons other than = and IN that pin nothing, or one row.
SELECT id FROM images WHERE id >= 7 AND id <= 7
SELECT id FROM images WHERE id BETWEEN 7 AND 7
SELECT id FROM images WHERE id BETWEEN 8 AND 6
SELECT id FROM images WHERE id BETWEEN '6' AND '8'
SELECT id FROM images WHERE id BETWEEN 6.5 AND 7.5
SELECT id FROM images WHERE id LIKE '7%'
SELECT id FROM images WHERE id REGEXP '^7$'
SELECT id FROM images WHERE id IN (7, 3) AND NOT id = 3
SELECT id FROM images WHERE NOT (id <> 7 OR user_id IS NULL)
SELECT id FROM images WHERE (id, user_id) IN ((7, 74), (3, 0), (11, 1))
SELECT id FROM images WHERE (id, 1) = (7, 1)
SELECT id FROM images WHERE (id = 7) IS TRUE
SELECT id FROM images WHERE (id = 7) IS NOT FALSE
SELECT id FROM images WHERE id = 7 IS NOT NULL
SELECT id FROM images WHERE IF(id = 7, TRUE, FALSE)
SELECT id FROM images WHERE COALESCE(id = 7, 0)
SELECT id FROM images WHERE id IN (7) AND id IN (3)
SELECT id FROM images WHERE id = 7 AND id = '7' AND id = 7.0
[either] SELECT id FROM images WHERE id = 7 AND id IN (SELECT 3)
SELECT COUNT(*) FROM images WHERE id = @no_such_variable
SELECT COUNT(*) FROM images WHERE id = NULL OR id = 7
SELECT COUNT(*) FROM images WHERE id <=> 7 OR id <=> 3
[either] SELECT COUNT(*) FROM images WHERE id = ANY (SELECT 7)
SELECT COUNT(*) FROM likes WHERE image_id = 7 OR image_id = 8
SELECT COUNT(*) FROM likes WHERE image_id = 7 AND user_id = 7
SELECT COUNT(*) FROM likes WHERE image_id = id
SELECT COUNT(*) FROM likes l WHERE l.image_id = l.id
SELECT COUNT(*) FROM likes WHERE image_id = 7 AND image_id = user_id

-- ======================================================================
-- 2. Pinned scopes on different shards, set operations, CTEs, derived tables
-- ======================================================================
[either] WITH t AS (SELECT id FROM images WHERE id = 7) SELECT t.id, i.id FROM t, images i WHERE i.id = 3
[either] WITH t AS (SELECT id FROM images WHERE id = 7) SELECT t.id, i.id FROM t, images i WHERE i.id = 8
[either] SELECT t.id, u.id FROM (SELECT id FROM images WHERE id = 7) t, (SELECT id FROM users WHERE id = 3) u
[either] SELECT t.id, u.id FROM (SELECT id FROM images WHERE id = 7) t, (SELECT id FROM users WHERE id = 8) u
[either] SELECT t.id, u.id FROM (SELECT id FROM images WHERE id = 7) t JOIN (SELECT id FROM users WHERE id = 3) u ON u.id < t.id
[either] WITH a AS (SELECT id FROM images WHERE id = 7), b AS (SELECT id FROM images WHERE id = 3) SELECT * FROM a, b
[either] WITH a AS (SELECT id FROM images WHERE id = 7), b AS (SELECT id FROM images WHERE id = 8) SELECT * FROM a, b
[either] WITH a AS (SELECT id FROM images WHERE id = 7) SELECT COUNT(*) FROM a x JOIN a y ON x.id = y.id
[either] WITH a AS (SELECT image_id, COUNT(*) AS c FROM likes WHERE image_id = 7 GROUP BY image_id) SELECT a.c, i.name FROM a JOIN images i ON i.id = a.image_id
[either] WITH RECURSIVE n AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT n.x, i.id FROM n JOIN images i ON i.id = 7
[either] WITH RECURSIVE n AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM n WHERE x < 5) SELECT n.x, i.id FROM n JOIN images i ON i.id = n.x
[either] WITH RECURSIVE n AS (SELECT 3 AS x UNION ALL SELECT x + 4 FROM n WHERE x < 5) SELECT COUNT(*) FROM n JOIN images i ON i.id = n.x WHERE i.id = 7
[either] WITH RECURSIVE r AS (SELECT id, parent_id, 0 AS d FROM images WHERE id = 25 UNION ALL SELECT i.id, i.parent_id, r.d + 1 FROM images i JOIN r ON i.id = r.parent_id WHERE i.id = 25) SELECT * FROM r
[either] WITH RECURSIVE r AS (SELECT id FROM images WHERE id = 7 UNION SELECT id FROM images WHERE id = 3) SELECT * FROM r
[either] WITH t (id) AS (SELECT user_id FROM images WHERE id = 7) SELECT COUNT(*) FROM t WHERE id = 74
[either] WITH t (a, b) AS (SELECT id, user_id FROM images WHERE id = 7) SELECT a, b FROM t
[either] SELECT * FROM (SELECT id FROM images WHERE id = 7 UNION ALL SELECT id FROM images WHERE id = 3) t
[either] SELECT * FROM (SELECT id FROM images WHERE id = 7 UNION ALL SELECT id FROM images WHERE id = 8) t
[either] SELECT id FROM images WHERE id = 7 INTERSECT SELECT id FROM images WHERE id IN (7, 8)
[either] SELECT id FROM images WHERE id = 7 INTERSECT SELECT id FROM images WHERE id = 3
[either] SELECT id FROM images WHERE id IN (7, 8) EXCEPT SELECT id FROM images WHERE id = 8
[either] SELECT id FROM images WHERE id IN (7, 3) EXCEPT SELECT id FROM images WHERE id = 3
[either] SELECT user_id FROM images INTERSECT SELECT user_id FROM images WHERE id = 7
[either] SELECT user_id FROM images WHERE id = 7 INTERSECT SELECT user_id FROM images
[either] SELECT user_id FROM images EXCEPT SELECT user_id FROM images WHERE id = 7
[either] SELECT COUNT(*) FROM (SELECT user_id FROM images EXCEPT SELECT user_id FROM likes) t
[either] SELECT id FROM images WHERE id = 7 INTERSECT ALL SELECT id FROM images WHERE id = 7
[either] SELECT id FROM images WHERE id = 7 EXCEPT ALL SELECT id FROM images WHERE id = 8
[either] [ordered] (SELECT id FROM images WHERE id = 7) UNION ALL (SELECT id FROM images WHERE id = 8) ORDER BY id DESC LIMIT 1 OFFSET 1
[either] SELECT id FROM images WHERE id = 7 UNION SELECT id FROM images WHERE id = 7 INTERSECT SELECT id FROM images WHERE id = 3
[either] VALUES (1), (2)
[either] SELECT COUNT(*) FROM images WHERE id IN (VALUES (7), (3))
[either] SELECT COUNT(*) FROM images WHERE id IN (VALUES (7), (8))
[either] SELECT COUNT(*) FROM images, (VALUES (1), (2)) v
[either] SELECT COUNT(*) FROM images, (SELECT 1 UNION ALL SELECT 2) v
[either] SELECT COUNT(*) FROM images i, JSON_TABLE(CONCAT('[', i.id, ',', i.user_id, ']'), '$[*]' COLUMNS (x INT PATH '$')) jt
[either] [ordered] SELECT i.id, jt.x FROM images i, JSON_TABLE(CONCAT('[', i.id, ',', i.user_id, ']'), '$[*]' COLUMNS (x INT PATH '$')) jt ORDER BY i.id, jt.x LIMIT 10
[either] SELECT jt.x, COUNT(*) FROM images i, JSON_TABLE(CONCAT('[', i.user_id % 3, ']'), '$[*]' COLUMNS (x INT PATH '$')) jt GROUP BY jt.x
[either] SELECT id FROM images WHERE id = 7 AND id IN (SELECT image_id FROM likes WHERE image_id = 7 UNION SELECT 3)
[either] SELECT (SELECT name FROM images WHERE id = 7) AS a, (SELECT name FROM users WHERE id = 8) AS b
[either] SELECT (SELECT name FROM images WHERE id = 7) AS a, (SELECT name FROM users WHERE id = 3) AS b
[either] SELECT EXISTS (SELECT 1 FROM images WHERE id = 3) AS e FROM images WHERE id = 7

-- ======================================================================
-- 3. Window functions: pinned over several keys of one shard, and not
-- ======================================================================
SELECT id, ROW_NUMBER() OVER (PARTITION BY id ORDER BY id) AS r FROM images WHERE id IN (4, 6, 7, 8, 12)
SELECT id, RANK() OVER (ORDER BY user_id, id) AS r, DENSE_RANK() OVER (ORDER BY user_id) AS d FROM images WHERE id IN (4, 6, 7, 8, 12)
SELECT id, LAG(name, 1) OVER (ORDER BY id) AS p, LEAD(id, 2) OVER (ORDER BY id) AS n FROM images WHERE id IN (3, 5, 9, 10, 13)
SELECT image_id, id, SUM(user_id) OVER (PARTITION BY image_id ORDER BY id ROWS UNBOUNDED PRECEDING) AS s FROM likes WHERE image_id IN (4, 6, 7, 8)
SELECT image_id, COUNT(*) OVER (PARTITION BY image_id) AS c, PERCENT_RANK() OVER (PARTITION BY image_id ORDER BY id) AS p FROM likes WHERE image_id IN (11, 14, 18)
SELECT id, AVG(id) OVER (ORDER BY id RANGE BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS a FROM images WHERE id IN (4, 6, 7, 8, 12)
SELECT id, NTH_VALUE(name, 2) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n FROM images WHERE id IN (1, 2, 24, 26)
SELECT id, BIT_XOR(id) OVER (ORDER BY id) AS b, STD(id) OVER () AS s FROM images WHERE id IN (1, 2, 24, 26)
[either] SELECT id, MEDIAN(id) OVER () AS m, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY id) OVER () AS pc FROM images WHERE id IN (4, 6, 7, 8)
[either] SELECT id, PERCENTILE_DISC(0.25) WITHIN GROUP (ORDER BY user_id) OVER () AS pd FROM images WHERE id IN (3, 5, 9, 10, 13)
[either] SELECT id, ROW_NUMBER() OVER (PARTITION BY id) AS r FROM images
[either] SELECT id, COUNT(*) OVER (PARTITION BY id) AS c FROM images WHERE id < 20
[either] SELECT image_id, COUNT(*) OVER (PARTITION BY image_id) AS c FROM likes
[either] SELECT id, MEDIAN(id) OVER () AS m FROM images WHERE id IN (1, 3)
[either] SELECT id, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY id) OVER (PARTITION BY user_id) AS m FROM images
[either] SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS r FROM images WHERE id IN (4, 6, 7, 3)
[either] SELECT id, CASE WHEN ROW_NUMBER() OVER (ORDER BY id) = 1 THEN 'first' END AS f FROM images
[either] SELECT id, JSON_ARRAY(RANK() OVER (ORDER BY id)) AS j FROM images WHERE id < 10
[either] SELECT SUM(id) OVER () AS s FROM images GROUP BY id
[either] SELECT user_id, COUNT(*), SUM(COUNT(*)) OVER () AS t FROM images GROUP BY user_id
[either] SELECT user_id, RANK() OVER (ORDER BY COUNT(*) DESC) AS r FROM images GROUP BY user_id
[either] SELECT DISTINCT COUNT(*) OVER (PARTITION BY user_id) AS c FROM images
[either] SELECT id FROM images WHERE id < 5 WINDOW w AS (ORDER BY id)

-- ======================================================================
-- 4. Aggregates: pinned DISTINCT ones, GROUP_CONCAT and JSON aggregates
--    on one shard; ROLLUP; HAVING with subqueries
-- ======================================================================
SELECT COUNT(DISTINCT user_id, parent_id), COUNT(DISTINCT name) FROM images WHERE id IN (4, 6, 7, 8, 12, 25, 29, 34)
SELECT GROUP_CONCAT(DISTINCT name ORDER BY name DESC SEPARATOR '|') FROM images WHERE id IN (4, 6, 7, 8, 12, 25, 29, 34)
SELECT GROUP_CONCAT(REPEAT(name, 40) ORDER BY id) AS g, LENGTH(GROUP_CONCAT(REPEAT(name, 40) ORDER BY id)) AS l FROM images WHERE id IN (4, 6, 7, 8, 12, 25, 29, 34)
SELECT LENGTH(GROUP_CONCAT(REPEAT('ü', 300))) AS l FROM images WHERE id IN (4, 6, 7, 8, 12, 25, 29, 34)
[either] SELECT JSON_ARRAYAGG(id ORDER BY id DESC) AS a, JSON_OBJECTAGG(id, user_id) AS o FROM images WHERE id IN (4, 6, 7, 8)
[either] SELECT JSON_ARRAYAGG(DISTINCT user_id % 3) AS a FROM likes WHERE image_id = 7
[either] SELECT image_id, JSON_ARRAYAGG(user_id ORDER BY id LIMIT 2) AS a FROM likes WHERE image_id IN (4, 6, 7, 8) GROUP BY image_id
SELECT STD(id), VARIANCE(id), STDDEV_SAMP(id), VAR_SAMP(user_id) FROM images WHERE id IN (4, 6, 7, 8, 12)
SELECT user_id, COUNT(*) FROM images WHERE id IN (4, 6, 7, 8, 12) GROUP BY user_id WITH ROLLUP
SELECT user_id % 2 AS a, parent_id IS NULL AS b, COUNT(*) FROM images WHERE id IN (4, 6, 7, 8, 12, 25, 29, 34) GROUP BY 1, 2 WITH ROLLUP
[either] SELECT COUNT(*) FROM images GROUP BY NULL WITH ROLLUP
[either] SELECT user_id % 2, COUNT(*) FROM images WHERE id IN (1, 3) GROUP BY user_id % 2 WITH ROLLUP
SELECT user_id, COUNT(*) FROM images WHERE id IN (4, 6, 7, 8, 12) GROUP BY user_id HAVING COUNT(*) >= (SELECT COUNT(*) FROM likes WHERE image_id = 7) - 100
[either] SELECT user_id, COUNT(*) FROM images GROUP BY user_id HAVING user_id = 5
[either] SELECT user_id, COUNT(*) AS c FROM images GROUP BY user_id HAVING c > 100
[either] SELECT COUNT(*) FROM images HAVING 1 = 1
[either] SELECT MEDIAN(id) OVER () FROM images LIMIT 1
[either] SELECT BIT_AND(id), BIT_OR(id), BIT_XOR(id) FROM images WHERE id IN (7, 8) GROUP BY user_id WITH ROLLUP
[either] SELECT COUNT(*), SUM(id) FROM images WHERE id IN (1, 3) GROUP BY user_id WITH ROLLUP

-- ======================================================================
-- 5. Merged aggregates: DECIMAL overflow, AVG halves, zero sums, signed
-- ======================================================================
-- Past 65 digits: what the server does with an overflowing SUM.
SELECT SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) FROM images
SELECT SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) FROM images WHERE id IN (1, 3, 11, 4)
SELECT AVG(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) FROM images
SELECT SUM(CAST(id AS DECIMAL(65,30)) * 10000000000000000000000000000000000) FROM images
SELECT AVG(CAST(id AS DECIMAL(65,30)) * 10000000000000000000000000000000000) FROM images
SELECT SUM(-CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) FROM images
SELECT SUM(CAST('99999999999999999999999999999999999999999999999999999999999999999' AS DECIMAL(65,0))) FROM images WHERE id IN (1, 3)
SELECT SUM(CAST('99999999999999999999999999999999999999999999999999999999999999999' AS DECIMAL(65,0))) FROM images WHERE id IN (1, 2)
SELECT MAX(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) FROM images
-- AVG whose quotient ends in an exact 5 past its scale (32 and 64 rows).
SELECT AVG(id), COUNT(*) FROM images WHERE id <= 33 AND id <> 32
SELECT AVG(-CAST(id AS SIGNED)) FROM images WHERE id <= 33 AND id <> 32
SELECT AVG(id * 1.5), AVG(id * 0.1) FROM images WHERE id <= 65 AND id <> 64
SELECT AVG(id * 0.1) FROM images WHERE id <= 33 AND id <> 32
SELECT AVG(CAST(id AS DECIMAL(10,5))) FROM images WHERE id <= 513 AND id <> 512 AND id <= 400
SELECT user_id % 2, AVG(id) FROM images WHERE id <= 64 GROUP BY user_id % 2
SELECT AVG(id), AVG(user_id), AVG(id * 0.5) FROM likes WHERE image_id <= 33
-- Partial sums that cancel: no negative zero.
SELECT SUM(IF(id = 1, 1.5, IF(id = 3, -1.5, 0))) FROM images WHERE id IN (1, 3)
SELECT SUM(IF(id = 1, 1.5, -1.5)), AVG(IF(id = 1, 1.5, -1.5)) FROM images WHERE id IN (1, 3)
SELECT SUM(IF(id = 1, 1.5e0, -1.5e0)), AVG(IF(id = 1, 1.5e0, -1.5e0)) FROM images WHERE id IN (1, 3)
SELECT SUM(IF(id = 1, 0.000001, -0.000001)), AVG(IF(id = 1, 0.000001, -0.000001)) FROM images WHERE id IN (1, 3)
SELECT AVG(IF(id = 1, -0.00001, 0)) FROM images WHERE id IN (1, 3, 11, 4)
SELECT SUM(-0e0), MIN(-0e0), MAX(-0e0), AVG(-0e0) FROM images WHERE id IN (1, 3)
SELECT SUM(CAST(id AS SIGNED) - 200.5) FROM images WHERE id IN (1, 3, 11, 4)
-- Signed views of the keys past 2^63.
SELECT MIN(CAST(id AS SIGNED)), MAX(CAST(id AS SIGNED)), SUM(CAST(id AS SIGNED)), AVG(CAST(id AS SIGNED)) FROM users
SELECT MIN(CAST(id AS SIGNED)), MAX(CAST(id AS SIGNED)) FROM users WHERE id > 90
SELECT SUM(id), AVG(id), SUM(id DIV 2) FROM users WHERE id > 90
SELECT SUM(id) FROM users WHERE id IN (18446744073709551615, 9223372036854775808, 9223372036854775813, 9223372036854775807)
SELECT BIT_AND(CAST(id AS SIGNED)), BIT_OR(CAST(id AS SIGNED)), BIT_XOR(CAST(id AS SIGNED)) FROM users WHERE id > 90
SELECT CAST(id AS SIGNED) < 0 AS neg, COUNT(*), SUM(id), MIN(id), MAX(id) FROM users GROUP BY CAST(id AS SIGNED) < 0
[ordered] SELECT id, CAST(id AS SIGNED) AS s FROM users WHERE id > 80 ORDER BY s DESC, id
SELECT CAST(id AS SIGNED) AS s, COUNT(*) FROM users WHERE id > 90 GROUP BY 1
SELECT SUM(CAST(id AS DOUBLE)), AVG(CAST(id AS DOUBLE)), MAX(CAST(id AS DOUBLE)) FROM users
[either] SELECT COUNT(*), SUM(1), SUM(0), SUM(NULL + 0), AVG(1), BIT_AND(1), BIT_OR(0) FROM images
SELECT SUM(id), AVG(id), MIN(id), MAX(id) FROM likes WHERE image_id > 400
SELECT SUM(DISTINCT id) FROM users WHERE id IN (7, 7, 8)
-- Dates and times merged (aggregates of temporal values the server turns into numbers).
SELECT SUM(dt), SUM(TIME(dt)), SUM(DATE(dt)) FROM images WHERE id IN (1, 3, 11, 4)
SELECT MIN(dt + 0), MAX(TIME(dt) + 0), SUM(dt + 0) FROM images
SELECT BIT_OR(DATE(dt)), BIT_AND(TIME(dt)) FROM images
SELECT MIN(YEAR(dt)), MAX(WEEK(dt)), SUM(DAYOFYEAR(dt)) FROM images
SELECT MAX(LAST_DAY(dt)), MIN(MAKEDATE(2025, id)) FROM images
SELECT DATE_FORMAT(dt, '%Y-%m') AS m, MIN(dt), MAX(dt), COUNT(*) FROM images GROUP BY DATE_FORMAT(dt, '%Y-%m')
SELECT MAX(FROM_DAYS(TO_DAYS(dt) + id)), MIN(FROM_DAYS(TO_DAYS(dt) - id)) FROM images
SELECT MIN(CONVERT_TZ(dt, '+00:00', '+05:30')), MAX(CONVERT_TZ(dt, '+00:00', '-11:00')) FROM images

-- ======================================================================
-- 6. ORDER BY, GROUP BY and DISTINCT of values the merge may compare
--    otherwise: text past max_sort_length in MIN/MAX and GROUP BY,
--    geometry, binary with NUL bytes, collation of literals
-- ======================================================================
[either] [ci] SELECT MAX(CONCAT(REPEAT('x', 1100), name)) AS m FROM images
[either] SELECT LENGTH(MAX(CONCAT(REPEAT('x', 1100), name))) AS l, RIGHT(MAX(CONCAT(REPEAT('x', 1100), name)), 3) AS r FROM images
[either] [ci] SELECT MIN(CONCAT(REPEAT('x', 1100), name)) FROM images WHERE id IN (1, 3)
[either] SELECT RIGHT(CONCAT(REPEAT('x', 1100), id % 3), 1) AS k, COUNT(*) FROM images GROUP BY CONCAT(REPEAT('x', 1100), id % 3)
[either] SELECT COUNT(*) FROM (SELECT DISTINCT CONCAT(REPEAT('x', 1100), id % 3) FROM images) t
[either] SELECT DISTINCT RIGHT(CONCAT(REPEAT('x', 1100), id % 3), 1) AS k FROM images
[either] SELECT DISTINCT CONCAT(REPEAT('x', 1100), id % 3) AS k FROM images
[either] SELECT CONCAT(REPEAT('x', 1100), id % 3) AS k, COUNT(*) FROM images GROUP BY 1
[either] SELECT MAX(CONCAT(REPEAT('x', 1100), id % 3)) AS k FROM images
[either] SELECT MAX(CAST(CONCAT(REPEAT('x', 1100), id) AS BINARY)) AS k FROM images
[either] [ordered] SELECT id, ST_AsText(POINT(id % 5, id)) AS t FROM images ORDER BY POINT(id % 5, id), id LIMIT 10
[either] [ordered] SELECT id, POINT(id % 5, -CAST(id AS SIGNED)) AS p FROM images ORDER BY p, id LIMIT 10
[either] SELECT MIN(POINT(id, 1)), MAX(POINT(1, id)) FROM images
[either] SELECT ST_AsText(MIN(POINT(id, 1))) AS a FROM images
[either] SELECT POINT(id % 2, 0) AS p, COUNT(*) FROM images GROUP BY 1
[either] [ordered] SELECT id, CONCAT(UNHEX(HEX(id % 3)), IF(id % 2, CHAR(0), '')) AS b FROM images WHERE id < 20 ORDER BY CAST(b AS BINARY), id
[ordered] SELECT id, IF(id % 2, CAST('a' AS BINARY), CAST('a\0' AS BINARY)) AS b FROM images WHERE id < 20 ORDER BY b, id
[ordered] SELECT id, IF(id % 2, CAST('a' AS BINARY), CAST('a ' AS BINARY)) AS b FROM images WHERE id < 20 ORDER BY b DESC, id
SELECT DISTINCT IF(id % 2, CAST('a' AS BINARY), CAST('a\0' AS BINARY)) AS b FROM images
SELECT IF(id % 2, CAST('a' AS BINARY), CAST('a ' AS BINARY)) AS b, COUNT(*) FROM images GROUP BY 1
SELECT MIN(IF(id % 2, CAST('a' AS BINARY), CAST('a\0' AS BINARY))), MAX(IF(id % 2, CAST('a' AS BINARY), CAST('a\0' AS BINARY))) FROM images
[either] SELECT HEX(MIN(UNHEX(LPAD(HEX(id), 4, '0')))), HEX(MAX(UNHEX(RPAD(HEX(id), 4, 'F')))) FROM images
[ordered] SELECT id, UNHEX(HEX(255 - id % 256)) AS b FROM images ORDER BY b, id LIMIT 20
-- Literal text compares in the connection's collation.
[ordered] SELECT id, IF(id % 2, 'B', 'a') AS c FROM images WHERE id < 20 ORDER BY c, id
[ordered] SELECT id, IF(id % 3 = 0, 'ß', IF(id % 3 = 1, 'ss', 's')) AS c FROM images WHERE id < 20 ORDER BY c, id
[ci] SELECT IF(id % 3 = 0, 'ß', IF(id % 3 = 1, 'ss', 's')) AS c, COUNT(*) FROM images GROUP BY 1
[ci] SELECT DISTINCT IF(id % 3 = 0, 'Å', IF(id % 3 = 1, 'å', 'a')) AS c FROM images
[ci] SELECT MIN(IF(id % 3 = 0, 'Å', 'a')), MAX(IF(id % 3 = 0, 'Å', 'a')) FROM images
[ordered] SELECT id, CONCAT(name, _latin1'x') AS c FROM images WHERE id < 30 ORDER BY c, id
[ordered] SELECT id, name FROM images WHERE id < 60 ORDER BY name COLLATE utf8mb4_unicode_520_ci DESC, id
[ordered] SELECT id, name FROM images WHERE id < 60 ORDER BY CONCAT(name) COLLATE utf8mb4_general_nopad_ci, id
[ordered] SELECT id, name FROM images WHERE id < 60 ORDER BY name COLLATE utf8mb4_bin DESC, id DESC
[ordered] SELECT id, LOWER(name) COLLATE utf8mb4_bin AS l FROM images WHERE id < 60 ORDER BY l, id
-- ORDER BY a function of an aggregate, ordinals, aliases that shadow.
[either] [ordered] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY COUNT(*) % 3, user_id LIMIT 10
[either] [ordered] SELECT user_id, MAX(id) AS m FROM images GROUP BY user_id ORDER BY m DESC, 1 LIMIT 10
[either] [ordered] SELECT user_id AS parent_id, COUNT(*) FROM images GROUP BY images.user_id ORDER BY parent_id LIMIT 10
[ordered] SELECT parent_id AS user_id, id FROM images ORDER BY user_id DESC, id LIMIT 20
[ordered] SELECT id AS name, name AS id FROM images ORDER BY 2, 1 LIMIT 20
[ordered] SELECT DISTINCT parent_id, user_id % 2 AS u FROM images ORDER BY 1 DESC, 2 LIMIT 12
[either] [ordered] SELECT DISTINCT parent_id FROM images ORDER BY parent_id IS NULL, parent_id DESC LIMIT 5
[ordered] SELECT parent_id, user_id % 3 AS g, COUNT(*) FROM images GROUP BY parent_id, user_id % 3 ORDER BY parent_id DESC, g DESC LIMIT 15
SELECT parent_id, parent_id % 2, COUNT(*) FROM images GROUP BY parent_id, parent_id % 2
[ordered] SELECT NULL AS n, id FROM images ORDER BY n, id LIMIT 3
[ordered] SELECT id, NULLIF(id % 3, 0) AS n FROM images ORDER BY n DESC, id DESC LIMIT 10 OFFSET 260
-- LIMIT 0 and big offsets over every merge.
SELECT DISTINCT name FROM images LIMIT 0
SELECT user_id, COUNT(*) FROM images GROUP BY user_id LIMIT 0
SELECT COUNT(*), MAX(id) FROM images LIMIT 0
SELECT COUNT(*), MAX(id) FROM images LIMIT 1, 1
SELECT user_id, COUNT(*) FROM images GROUP BY user_id LIMIT 1000 OFFSET 85
[ordered] SELECT id FROM images ORDER BY id LIMIT 4294967296 OFFSET 398
[ordered] SELECT id FROM images ORDER BY id DESC LIMIT 2 OFFSET 4294967295
[ordered] SELECT DISTINCT user_id FROM images ORDER BY user_id LIMIT 2 OFFSET 4294967296

-- ======================================================================
-- 7. Locks, session-reading functions, options the parser may drop
-- ======================================================================
SELECT COUNT(*), MAX(id) FROM images FOR UPDATE
SELECT user_id, COUNT(*) FROM images GROUP BY user_id LOCK IN SHARE MODE
[ordered] SELECT DISTINCT user_id FROM images ORDER BY user_id DESC LIMIT 3 FOR UPDATE
SELECT i.id, l.id FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = 7 FOR UPDATE
SELECT id FROM images WHERE id IN (4, 6) LOCK IN SHARE MODE
[either] SELECT COUNT(*) FROM images FOR UPDATE SKIP LOCKED
[ordered] SELECT SQL_BUFFER_RESULT id FROM images ORDER BY id LIMIT 3
[ordered] SELECT SQL_BIG_RESULT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY user_id LIMIT 3
SELECT SQL_SMALL_RESULT DISTINCT user_id % 4 FROM images
[ordered] SELECT SQL_CACHE id FROM images ORDER BY id DESC LIMIT 2
[either] SELECT id, name FROM images PROCEDURE ANALYSE()
[either] SELECT id FROM images WHERE id = 7 PROCEDURE ANALYSE()
[either] SELECT COUNT(*) FROM images IGNORE INDEX FOR ORDER BY (PRIMARY)
[ordered] SELECT id FROM images USE INDEX FOR ORDER BY (PRIMARY) ORDER BY id LIMIT 3

-- ======================================================================
-- 8. Protocol edges through the proxy: value lengths at the length
--    encoding's boundaries, bytes that open packets, 260 columns, a row
--    past one packet
-- ======================================================================
SELECT id, REPEAT('a', 250) AS a, REPEAT('b', 251) AS b, REPEAT('c', 252) AS c FROM images WHERE id = 3
SELECT id, REPEAT('a', 65535) AS a, REPEAT('b', 65536) AS b FROM images WHERE id = 3
[ordered] SELECT id, REPEAT('a', 251 + id % 2) AS a, REPEAT('b', 65535 + id % 2) AS b FROM images ORDER BY id LIMIT 4
SELECT id, UNHEX('FB') AS a, UNHEX('FE') AS b, UNHEX('FF') AS c, UNHEX('00') AS d, '' AS e, NULL AS f FROM images WHERE id = 3
[ordered] SELECT UNHEX('FB') AS a, id FROM images ORDER BY id LIMIT 3
[ordered] SELECT UNHEX('FE00000000000000') AS a, id FROM images ORDER BY id LIMIT 3
[ordered] SELECT NULL AS a, id FROM images ORDER BY id LIMIT 3
[ordered] SELECT '' AS a, '' AS b, id FROM images ORDER BY id LIMIT 3
SELECT IF(id % 2, NULL, '') AS a, COUNT(*) FROM images GROUP BY 1
SELECT id, id + 1 AS c1, id + 2 AS c2, id + 3 AS c3, id + 4 AS c4, id + 5 AS c5, id + 6 AS c6, id + 7 AS c7, id + 8 AS c8, id + 9 AS c9, id + 10 AS c10, id + 11 AS c11, id + 12 AS c12, id + 13 AS c13, id + 14 AS c14, id + 15 AS c15, id + 16 AS c16, id + 17 AS c17, id + 18 AS c18, id + 19 AS c19, id + 20 AS c20, id + 21 AS c21, id + 22 AS c22, id + 23 AS c23, id + 24 AS c24, id + 25 AS c25, id + 26 AS c26, id + 27 AS c27, id + 28 AS c28, id + 29 AS c29, id + 30 AS c30, id + 31 AS c31, id + 32 AS c32, id + 33 AS c33, id + 34 AS c34, id + 35 AS c35, id + 36 AS c36, id + 37 AS c37, id + 38 AS c38, id + 39 AS c39, id + 40 AS c40, id + 41 AS c41, id + 42 AS c42, id + 43 AS c43, id + 44 AS c44, id + 45 AS c45, id + 46 AS c46, id + 47 AS c47, id + 48 AS c48, id + 49 AS c49, id + 50 AS c50, id + 51 AS c51, id + 52 AS c52, id + 53 AS c53, id + 54 AS c54, id + 55 AS c55, id + 56 AS c56, id + 57 AS c57, id + 58 AS c58, id + 59 AS c59, id + 60 AS c60, id + 61 AS c61, id + 62 AS c62, id + 63 AS c63, id + 64 AS c64, id + 65 AS c65, id + 66 AS c66, id + 67 AS c67, id + 68 AS c68, id + 69 AS c69, id + 70 AS c70, id + 71 AS c71, id + 72 AS c72, id + 73 AS c73, id + 74 AS c74, id + 75 AS c75, id + 76 AS c76, id + 77 AS c77, id + 78 AS c78, id + 79 AS c79, id + 80 AS c80, id + 81 AS c81, id + 82 AS c82, id + 83 AS c83, id + 84 AS c84, id + 85 AS c85, id + 86 AS c86, id + 87 AS c87, id + 88 AS c88, id + 89 AS c89, id + 90 AS c90, id + 91 AS c91, id + 92 AS c92, id + 93 AS c93, id + 94 AS c94, id + 95 AS c95, id + 96 AS c96, id + 97 AS c97, id + 98 AS c98, id + 99 AS c99, id + 100 AS c100, id + 101 AS c101, id + 102 AS c102, id + 103 AS c103, id + 104 AS c104, id + 105 AS c105, id + 106 AS c106, id + 107 AS c107, id + 108 AS c108, id + 109 AS c109, id + 110 AS c110, id + 111 AS c111, id + 112 AS c112, id + 113 AS c113, id + 114 AS c114, id + 115 AS c115, id + 116 AS c116, id + 117 AS c117, id + 118 AS c118, id + 119 AS c119, id + 120 AS c120, id + 121 AS c121, id + 122 AS c122, id + 123 AS c123, id + 124 AS c124, id + 125 AS c125, id + 126 AS c126, id + 127 AS c127, id + 128 AS c128, id + 129 AS c129, id + 130 AS c130, id + 131 AS c131, id + 132 AS c132, id + 133 AS c133, id + 134 AS c134, id + 135 AS c135, id + 136 AS c136, id + 137 AS c137, id + 138 AS c138, id + 139 AS c139, id + 140 AS c140, id + 141 AS c141, id + 142 AS c142, id + 143 AS c143, id + 144 AS c144, id + 145 AS c145, id + 146 AS c146, id + 147 AS c147, id + 148 AS c148, id + 149 AS c149, id + 150 AS c150, id + 151 AS c151, id + 152 AS c152, id + 153 AS c153, id + 154 AS c154, id + 155 AS c155, id + 156 AS c156, id + 157 AS c157, id + 158 AS c158, id + 159 AS c159, id + 160 AS c160, id + 161 AS c161, id + 162 AS c162, id + 163 AS c163, id + 164 AS c164, id + 165 AS c165, id + 166 AS c166, id + 167 AS c167, id + 168 AS c168, id + 169 AS c169, id + 170 AS c170, id + 171 AS c171, id + 172 AS c172, id + 173 AS c173, id + 174 AS c174, id + 175 AS c175, id + 176 AS c176, id + 177 AS c177, id + 178 AS c178, id + 179 AS c179, id + 180 AS c180, id + 181 AS c181, id + 182 AS c182, id + 183 AS c183, id + 184 AS c184, id + 185 AS c185, id + 186 AS c186, id + 187 AS c187, id + 188 AS c188, id + 189 AS c189, id + 190 AS c190, id + 191 AS c191, id + 192 AS c192, id + 193 AS c193, id + 194 AS c194, id + 195 AS c195, id + 196 AS c196, id + 197 AS c197, id + 198 AS c198, id + 199 AS c199, id + 200 AS c200, id + 201 AS c201, id + 202 AS c202, id + 203 AS c203, id + 204 AS c204, id + 205 AS c205, id + 206 AS c206, id + 207 AS c207, id + 208 AS c208, id + 209 AS c209, id + 210 AS c210, id + 211 AS c211, id + 212 AS c212, id + 213 AS c213, id + 214 AS c214, id + 215 AS c215, id + 216 AS c216, id + 217 AS c217, id + 218 AS c218, id + 219 AS c219, id + 220 AS c220, id + 221 AS c221, id + 222 AS c222, id + 223 AS c223, id + 224 AS c224, id + 225 AS c225, id + 226 AS c226, id + 227 AS c227, id + 228 AS c228, id + 229 AS c229, id + 230 AS c230, id + 231 AS c231, id + 232 AS c232, id + 233 AS c233, id + 234 AS c234, id + 235 AS c235, id + 236 AS c236, id + 237 AS c237, id + 238 AS c238, id + 239 AS c239, id + 240 AS c240, id + 241 AS c241, id + 242 AS c242, id + 243 AS c243, id + 244 AS c244, id + 245 AS c245, id + 246 AS c246, id + 247 AS c247, id + 248 AS c248, id + 249 AS c249, id + 250 AS c250, id + 251 AS c251, id + 252 AS c252, id + 253 AS c253, id + 254 AS c254, id + 255 AS c255, id + 256 AS c256, id + 257 AS c257, id + 258 AS c258, id + 259 AS c259, id + 260 AS c260 FROM images WHERE id = 3
[ordered] SELECT id, id + 1 AS c1, id + 2 AS c2, id + 3 AS c3, id + 4 AS c4, id + 5 AS c5, id + 6 AS c6, id + 7 AS c7, id + 8 AS c8, id + 9 AS c9, id + 10 AS c10, id + 11 AS c11, id + 12 AS c12, id + 13 AS c13, id + 14 AS c14, id + 15 AS c15, id + 16 AS c16, id + 17 AS c17, id + 18 AS c18, id + 19 AS c19, id + 20 AS c20, id + 21 AS c21, id + 22 AS c22, id + 23 AS c23, id + 24 AS c24, id + 25 AS c25, id + 26 AS c26, id + 27 AS c27, id + 28 AS c28, id + 29 AS c29, id + 30 AS c30, id + 31 AS c31, id + 32 AS c32, id + 33 AS c33, id + 34 AS c34, id + 35 AS c35, id + 36 AS c36, id + 37 AS c37, id + 38 AS c38, id + 39 AS c39, id + 40 AS c40, id + 41 AS c41, id + 42 AS c42, id + 43 AS c43, id + 44 AS c44, id + 45 AS c45, id + 46 AS c46, id + 47 AS c47, id + 48 AS c48, id + 49 AS c49, id + 50 AS c50, id + 51 AS c51, id + 52 AS c52, id + 53 AS c53, id + 54 AS c54, id + 55 AS c55, id + 56 AS c56, id + 57 AS c57, id + 58 AS c58, id + 59 AS c59, id + 60 AS c60, id + 61 AS c61, id + 62 AS c62, id + 63 AS c63, id + 64 AS c64, id + 65 AS c65, id + 66 AS c66, id + 67 AS c67, id + 68 AS c68, id + 69 AS c69, id + 70 AS c70, id + 71 AS c71, id + 72 AS c72, id + 73 AS c73, id + 74 AS c74, id + 75 AS c75, id + 76 AS c76, id + 77 AS c77, id + 78 AS c78, id + 79 AS c79, id + 80 AS c80, id + 81 AS c81, id + 82 AS c82, id + 83 AS c83, id + 84 AS c84, id + 85 AS c85, id + 86 AS c86, id + 87 AS c87, id + 88 AS c88, id + 89 AS c89, id + 90 AS c90, id + 91 AS c91, id + 92 AS c92, id + 93 AS c93, id + 94 AS c94, id + 95 AS c95, id + 96 AS c96, id + 97 AS c97, id + 98 AS c98, id + 99 AS c99, id + 100 AS c100, id + 101 AS c101, id + 102 AS c102, id + 103 AS c103, id + 104 AS c104, id + 105 AS c105, id + 106 AS c106, id + 107 AS c107, id + 108 AS c108, id + 109 AS c109, id + 110 AS c110, id + 111 AS c111, id + 112 AS c112, id + 113 AS c113, id + 114 AS c114, id + 115 AS c115, id + 116 AS c116, id + 117 AS c117, id + 118 AS c118, id + 119 AS c119, id + 120 AS c120, id + 121 AS c121, id + 122 AS c122, id + 123 AS c123, id + 124 AS c124, id + 125 AS c125, id + 126 AS c126, id + 127 AS c127, id + 128 AS c128, id + 129 AS c129, id + 130 AS c130, id + 131 AS c131, id + 132 AS c132, id + 133 AS c133, id + 134 AS c134, id + 135 AS c135, id + 136 AS c136, id + 137 AS c137, id + 138 AS c138, id + 139 AS c139, id + 140 AS c140, id + 141 AS c141, id + 142 AS c142, id + 143 AS c143, id + 144 AS c144, id + 145 AS c145, id + 146 AS c146, id + 147 AS c147, id + 148 AS c148, id + 149 AS c149, id + 150 AS c150, id + 151 AS c151, id + 152 AS c152, id + 153 AS c153, id + 154 AS c154, id + 155 AS c155, id + 156 AS c156, id + 157 AS c157, id + 158 AS c158, id + 159 AS c159, id + 160 AS c160, id + 161 AS c161, id + 162 AS c162, id + 163 AS c163, id + 164 AS c164, id + 165 AS c165, id + 166 AS c166, id + 167 AS c167, id + 168 AS c168, id + 169 AS c169, id + 170 AS c170, id + 171 AS c171, id + 172 AS c172, id + 173 AS c173, id + 174 AS c174, id + 175 AS c175, id + 176 AS c176, id + 177 AS c177, id + 178 AS c178, id + 179 AS c179, id + 180 AS c180, id + 181 AS c181, id + 182 AS c182, id + 183 AS c183, id + 184 AS c184, id + 185 AS c185, id + 186 AS c186, id + 187 AS c187, id + 188 AS c188, id + 189 AS c189, id + 190 AS c190, id + 191 AS c191, id + 192 AS c192, id + 193 AS c193, id + 194 AS c194, id + 195 AS c195, id + 196 AS c196, id + 197 AS c197, id + 198 AS c198, id + 199 AS c199, id + 200 AS c200, id + 201 AS c201, id + 202 AS c202, id + 203 AS c203, id + 204 AS c204, id + 205 AS c205, id + 206 AS c206, id + 207 AS c207, id + 208 AS c208, id + 209 AS c209, id + 210 AS c210, id + 211 AS c211, id + 212 AS c212, id + 213 AS c213, id + 214 AS c214, id + 215 AS c215, id + 216 AS c216, id + 217 AS c217, id + 218 AS c218, id + 219 AS c219, id + 220 AS c220, id + 221 AS c221, id + 222 AS c222, id + 223 AS c223, id + 224 AS c224, id + 225 AS c225, id + 226 AS c226, id + 227 AS c227, id + 228 AS c228, id + 229 AS c229, id + 230 AS c230, id + 231 AS c231, id + 232 AS c232, id + 233 AS c233, id + 234 AS c234, id + 235 AS c235, id + 236 AS c236, id + 237 AS c237, id + 238 AS c238, id + 239 AS c239, id + 240 AS c240, id + 241 AS c241, id + 242 AS c242, id + 243 AS c243, id + 244 AS c244, id + 245 AS c245, id + 246 AS c246, id + 247 AS c247, id + 248 AS c248, id + 249 AS c249, id + 250 AS c250, id + 251 AS c251, id + 252 AS c252, id + 253 AS c253, id + 254 AS c254, id + 255 AS c255, id + 256 AS c256, id + 257 AS c257, id + 258 AS c258, id + 259 AS c259, id + 260 AS c260 FROM images ORDER BY id LIMIT 2
SELECT MAX(id), MAX(id + 1) AS m1, MAX(id + 2) AS m2, MAX(id + 3) AS m3, MAX(id + 4) AS m4, MAX(id + 5) AS m5, MAX(id + 6) AS m6, MAX(id + 7) AS m7, MAX(id + 8) AS m8, MAX(id + 9) AS m9, MAX(id + 10) AS m10, MAX(id + 11) AS m11, MAX(id + 12) AS m12, MAX(id + 13) AS m13, MAX(id + 14) AS m14, MAX(id + 15) AS m15, MAX(id + 16) AS m16, MAX(id + 17) AS m17, MAX(id + 18) AS m18, MAX(id + 19) AS m19, MAX(id + 20) AS m20, MAX(id + 21) AS m21, MAX(id + 22) AS m22, MAX(id + 23) AS m23, MAX(id + 24) AS m24, MAX(id + 25) AS m25, MAX(id + 26) AS m26, MAX(id + 27) AS m27, MAX(id + 28) AS m28, MAX(id + 29) AS m29, MAX(id + 30) AS m30, MAX(id + 31) AS m31, MAX(id + 32) AS m32, MAX(id + 33) AS m33, MAX(id + 34) AS m34, MAX(id + 35) AS m35, MAX(id + 36) AS m36, MAX(id + 37) AS m37, MAX(id + 38) AS m38, MAX(id + 39) AS m39, MAX(id + 40) AS m40, MAX(id + 41) AS m41, MAX(id + 42) AS m42, MAX(id + 43) AS m43, MAX(id + 44) AS m44, MAX(id + 45) AS m45, MAX(id + 46) AS m46, MAX(id + 47) AS m47, MAX(id + 48) AS m48, MAX(id + 49) AS m49, MAX(id + 50) AS m50, MAX(id + 51) AS m51, MAX(id + 52) AS m52, MAX(id + 53) AS m53, MAX(id + 54) AS m54, MAX(id + 55) AS m55, MAX(id + 56) AS m56, MAX(id + 57) AS m57, MAX(id + 58) AS m58, MAX(id + 59) AS m59, MAX(id + 60) AS m60, MAX(id + 61) AS m61, MAX(id + 62) AS m62, MAX(id + 63) AS m63, MAX(id + 64) AS m64, MAX(id + 65) AS m65, MAX(id + 66) AS m66, MAX(id + 67) AS m67, MAX(id + 68) AS m68, MAX(id + 69) AS m69, MAX(id + 70) AS m70, MAX(id + 71) AS m71, MAX(id + 72) AS m72, MAX(id + 73) AS m73, MAX(id + 74) AS m74, MAX(id + 75) AS m75, MAX(id + 76) AS m76, MAX(id + 77) AS m77, MAX(id + 78) AS m78, MAX(id + 79) AS m79, MAX(id + 80) AS m80, MAX(id + 81) AS m81, MAX(id + 82) AS m82, MAX(id + 83) AS m83, MAX(id + 84) AS m84, MAX(id + 85) AS m85, MAX(id + 86) AS m86, MAX(id + 87) AS m87, MAX(id + 88) AS m88, MAX(id + 89) AS m89, MAX(id + 90) AS m90, MAX(id + 91) AS m91, MAX(id + 92) AS m92, MAX(id + 93) AS m93, MAX(id + 94) AS m94, MAX(id + 95) AS m95, MAX(id + 96) AS m96, MAX(id + 97) AS m97, MAX(id + 98) AS m98, MAX(id + 99) AS m99, MAX(id + 100) AS m100, MAX(id + 101) AS m101, MAX(id + 102) AS m102, MAX(id + 103) AS m103, MAX(id + 104) AS m104, MAX(id + 105) AS m105, MAX(id + 106) AS m106, MAX(id + 107) AS m107, MAX(id + 108) AS m108, MAX(id + 109) AS m109, MAX(id + 110) AS m110, MAX(id + 111) AS m111, MAX(id + 112) AS m112, MAX(id + 113) AS m113, MAX(id + 114) AS m114, MAX(id + 115) AS m115, MAX(id + 116) AS m116, MAX(id + 117) AS m117, MAX(id + 118) AS m118, MAX(id + 119) AS m119, MAX(id + 120) AS m120, MAX(id + 121) AS m121, MAX(id + 122) AS m122, MAX(id + 123) AS m123, MAX(id + 124) AS m124, MAX(id + 125) AS m125, MAX(id + 126) AS m126, MAX(id + 127) AS m127, MAX(id + 128) AS m128, MAX(id + 129) AS m129, MAX(id + 130) AS m130, MAX(id + 131) AS m131, MAX(id + 132) AS m132, MAX(id + 133) AS m133, MAX(id + 134) AS m134, MAX(id + 135) AS m135, MAX(id + 136) AS m136, MAX(id + 137) AS m137, MAX(id + 138) AS m138, MAX(id + 139) AS m139, MAX(id + 140) AS m140, MAX(id + 141) AS m141, MAX(id + 142) AS m142, MAX(id + 143) AS m143, MAX(id + 144) AS m144, MAX(id + 145) AS m145, MAX(id + 146) AS m146, MAX(id + 147) AS m147, MAX(id + 148) AS m148, MAX(id + 149) AS m149, MAX(id + 150) AS m150, MAX(id + 151) AS m151, MAX(id + 152) AS m152, MAX(id + 153) AS m153, MAX(id + 154) AS m154, MAX(id + 155) AS m155, MAX(id + 156) AS m156, MAX(id + 157) AS m157, MAX(id + 158) AS m158, MAX(id + 159) AS m159, MAX(id + 160) AS m160, MAX(id + 161) AS m161, MAX(id + 162) AS m162, MAX(id + 163) AS m163, MAX(id + 164) AS m164, MAX(id + 165) AS m165, MAX(id + 166) AS m166, MAX(id + 167) AS m167, MAX(id + 168) AS m168, MAX(id + 169) AS m169, MAX(id + 170) AS m170, MAX(id + 171) AS m171, MAX(id + 172) AS m172, MAX(id + 173) AS m173, MAX(id + 174) AS m174, MAX(id + 175) AS m175, MAX(id + 176) AS m176, MAX(id + 177) AS m177, MAX(id + 178) AS m178, MAX(id + 179) AS m179, MAX(id + 180) AS m180, MAX(id + 181) AS m181, MAX(id + 182) AS m182, MAX(id + 183) AS m183, MAX(id + 184) AS m184, MAX(id + 185) AS m185, MAX(id + 186) AS m186, MAX(id + 187) AS m187, MAX(id + 188) AS m188, MAX(id + 189) AS m189, MAX(id + 190) AS m190, MAX(id + 191) AS m191, MAX(id + 192) AS m192, MAX(id + 193) AS m193, MAX(id + 194) AS m194, MAX(id + 195) AS m195, MAX(id + 196) AS m196, MAX(id + 197) AS m197, MAX(id + 198) AS m198, MAX(id + 199) AS m199, MAX(id + 200) AS m200, MAX(id + 201) AS m201, MAX(id + 202) AS m202, MAX(id + 203) AS m203, MAX(id + 204) AS m204, MAX(id + 205) AS m205, MAX(id + 206) AS m206, MAX(id + 207) AS m207, MAX(id + 208) AS m208, MAX(id + 209) AS m209, MAX(id + 210) AS m210, MAX(id + 211) AS m211, MAX(id + 212) AS m212, MAX(id + 213) AS m213, MAX(id + 214) AS m214, MAX(id + 215) AS m215, MAX(id + 216) AS m216, MAX(id + 217) AS m217, MAX(id + 218) AS m218, MAX(id + 219) AS m219, MAX(id + 220) AS m220, MAX(id + 221) AS m221, MAX(id + 222) AS m222, MAX(id + 223) AS m223, MAX(id + 224) AS m224, MAX(id + 225) AS m225, MAX(id + 226) AS m226, MAX(id + 227) AS m227, MAX(id + 228) AS m228, MAX(id + 229) AS m229, MAX(id + 230) AS m230, MAX(id + 231) AS m231, MAX(id + 232) AS m232, MAX(id + 233) AS m233, MAX(id + 234) AS m234, MAX(id + 235) AS m235, MAX(id + 236) AS m236, MAX(id + 237) AS m237, MAX(id + 238) AS m238, MAX(id + 239) AS m239, MAX(id + 240) AS m240, MAX(id + 241) AS m241, MAX(id + 242) AS m242, MAX(id + 243) AS m243, MAX(id + 244) AS m244, MAX(id + 245) AS m245, MAX(id + 246) AS m246, MAX(id + 247) AS m247, MAX(id + 248) AS m248, MAX(id + 249) AS m249, MAX(id + 250) AS m250, MAX(id + 251) AS m251, MAX(id + 252) AS m252, MAX(id + 253) AS m253, MAX(id + 254) AS m254, MAX(id + 255) AS m255, MAX(id + 256) AS m256, MAX(id + 257) AS m257, MAX(id + 258) AS m258, MAX(id + 259) AS m259, MAX(id + 260) AS m260 FROM images
SELECT id, REPEAT('a', 16777209) AS r FROM images WHERE id = 3
SELECT id, REPEAT('a', 16777210) AS r FROM images WHERE id = 3
SELECT id, LENGTH(REPEAT('a', 16777216)) AS l FROM images WHERE id = 3
SELECT id, REPEAT('a', 9000000) AS a, REPEAT('b', 9000000) AS b FROM images WHERE id = 3
[ordered] SELECT id, REPEAT('a', 9000000) AS a FROM images ORDER BY id LIMIT 2

-- ======================================================================
-- 9. Operators and literals a reprinted scatter statement must keep
-- ======================================================================
[ordered] SELECT id, NOT 1 + 1 AS a, ~ - 1 AS b, 1 - -1 AS c, 5 DIV 2 * 2 AS d, - 9223372036854775808 AS e FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, 1 IN (1, NULL) IS UNKNOWN AS a, 2 IN (1, NULL) IS UNKNOWN AS b, 'abc' LIKE 'a%' ESCAPE '|' = 1 AS c FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, POSITION('a' IN name) AS p, CONVERT(name, CHAR(2)) AS c, CAST(name AS CHAR(3) CHARACTER SET latin1) AS l FROM images ORDER BY id LIMIT 10
[ordered] SELECT id, CHARSET(CONVERT(name USING utf8)) AS c, CAST(id AS CHAR CHARACTER SET utf8) AS d FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, TIMESTAMPDIFF(SQL_TSI_HOUR, dt, '2025-03-03') AS h, DATE_ADD(dt, INTERVAL '-1 2' DAY_HOUR) AS d FROM images ORDER BY id LIMIT 5
[ordered] SELECT id, 'a\Zb' AS z, 'a\%b' AS p, 'a\_b' AS u, 'a\qb' AS q, HEX('a\Zb\qc') AS h FROM images ORDER BY id LIMIT 2
SELECT COUNT(*) FROM images WHERE name LIKE 'percent\\%'
SELECT COUNT(*) FROM images WHERE name LIKE 'percent\%' AND name LIKE '%\%'
SELECT COUNT(*) FROM images WHERE CONCAT(name, '\%') LIKE '%\\\%'
[ordered] SELECT id, -(9223372036854775808) AS a, -(-9223372036854775807 - 1) AS b FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, 'x' COLLATE utf8mb4_bin = 'X' AS a, 'x' = 'X' COLLATE utf8mb4_bin AS b, BINARY 'x' = 'X' AS c FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, name COLLATE utf8mb4_bin LIKE 'A%' AS a, name LIKE BINARY 'A%' AS b FROM images ORDER BY id LIMIT 20
[ordered] SELECT id, id BETWEEN 1 AND 3 BETWEEN 0 AND 1 AS a, NOT id BETWEEN 2 AND 3 AS b FROM images ORDER BY id LIMIT 4
[ordered] SELECT id, 1 = 1 IS TRUE AS a, NULL IS NULL IS NULL AS b, id IS NOT NULL = 1 AS c FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, CASE id WHEN 1 THEN 'a' WHEN '1' THEN 'b' ELSE NULL END AS c, IF(id = 1, 2, 3) + 1 AS d FROM images ORDER BY id LIMIT 3

-- ======================================================================
-- 11. Functions and forms in a scattered statement, which the router
--     sends reprinted (each shard gets the parser's text, not the client's)
-- ======================================================================
[either] [ordered] SELECT id, CONVERT(dt, DATE) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CONVERT(dt, TIME) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CONVERT(dt, DATETIME) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CONVERT(id, DECIMAL(10,2)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CAST(id AS DOUBLE) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CAST(id AS FLOAT) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CAST(id AS DECIMAL(5)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CAST(name AS NCHAR(2)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CAST(name AS CHAR(2) BINARY) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CAST(name AS CHAR CHARACTER SET ascii) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CAST(name AS VARCHAR(3)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CAST(dt AS DATETIME(2)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TIMESTAMPADD(WEEK, 1, dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TIMESTAMPADD(QUARTER, 1, dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TIMESTAMPDIFF(MONTH, '2024-01-01', dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, EXTRACT(WEEK FROM dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, EXTRACT(QUARTER FROM dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, EXTRACT(HOUR_MICROSECOND FROM dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, DATE_ADD(dt, INTERVAL 1 QUARTER) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, DATE_SUB(dt, INTERVAL '1.5' MINUTE_SECOND) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, dt + INTERVAL 1 YEAR AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ADDDATE(dt, INTERVAL 2 WEEK) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TRIM(TRAILING 'b' FROM name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TRIM(BOTH FROM CONCAT(' ', name, ' ')) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TRIM('a' FROM name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, WEIGHT_STRING(name AS BINARY(4)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, WEIGHT_STRING(name AS CHAR(2)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, LAST_VALUE(id, name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, LEFT(name, 2) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, RIGHT(name, 2) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, INSERT(name, 2, 1, 'XY') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, REPLACE(name, 'a', 'b') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, REPEAT(name, 2) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, MOD(id, 7) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, id MOD 7 AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CHAR(65 + id % 26) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CHAR(65, 66 USING latin1) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CHR(65 + id % 26) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ASCII(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ORD(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, BIT_COUNT(id) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CRC32(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, MD5(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, SHA2(name, 256) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TO_BASE64(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, FROM_BASE64(TO_BASE64(name)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, INET_NTOA(id) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, INET6_NTOA(INET6_ATON(CONCAT('::', id))) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, IS_IPV4(CONCAT('10.0.0.', id)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_CONTAINS_PATH(JSON_OBJECT('a', id), 'one', '$.a', '$.b') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_SEARCH(JSON_ARRAY(name, 'x'), 'all', 'x') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_KEYS(JSON_OBJECT('a', id, 'b', name)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_DEPTH(JSON_ARRAY(JSON_ARRAY(id))) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_VALID(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_MERGE_PATCH(JSON_OBJECT('a', id), JSON_OBJECT('b', name)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_MERGE_PRESERVE(JSON_ARRAY(id), JSON_ARRAY(name)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_ARRAY_INSERT(JSON_ARRAY(id), '$[0]', name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_LOOSE(JSON_OBJECT('a', id)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_DETAILED(JSON_OBJECT('a', id)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_EQUALS(JSON_OBJECT('a', id), JSON_OBJECT('a', id)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_NORMALIZE(JSON_OBJECT('b', 1, 'a', id)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_OVERLAPS(JSON_ARRAY(id), JSON_ARRAY(1, 2)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, REGEXP_INSTR(name, '[0-9]') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, MAKE_SET(id % 8, 'a', 'b', 'c') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, EXPORT_SET(id % 16, 'Y', 'N', ',', 4) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CONV(id, 10, 16) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, BIN(id) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, OCT(id) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, SPACE(id % 3) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, STRCMP(name, 'bob') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, SUBSTRING_INDEX(path, '/', 2) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, INSTR(name, 'e') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, FIND_IN_SET('b', 'a,b,c') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, QUOTE(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, SOUNDEX(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, DEGREES(id) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TRUNCATE(id / 7, 2) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, SIGN(CAST(id AS SIGNED) - 200) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CEILING(id / 3) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, LOG(2, id) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, LOG2(id) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ATAN(id, 2) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ATAN2(id, 2) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, COT(id) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, DATEDIFF(dt, '2025-01-01') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, PERIOD_ADD(202501, id % 12) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, PERIOD_DIFF(202512, 202501 + id % 11) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TO_SECONDS(dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TIME_FORMAT(dt, '%H %k %h %I %l') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, SUBTIME(dt, '1:00:00') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, WEEKDAY(dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, DAYOFWEEK(dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, YEARWEEK(dt, 3) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, WEEK(dt, 3) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, QUARTER(dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, MICROSECOND(dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TIMESTAMP(DATE(dt), '12:00:00') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ADD_MONTHS(dt, 1) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, TO_CHAR(dt, 'YYYY-MM-DD') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, SUBSTR(name, 2) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, OCTET_LENGTH(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, BIT_LENGTH(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CHARACTER_LENGTH(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, UCASE(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, LCASE(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, POWER(id, 2) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, INTERVAL(id, 10, 20) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ELT(1 + id % 2, 'a', 'b') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, FIELD(id, 3, 7, 1) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, LOCALTIME() > '2000-01-01' AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CURRENT_DATE > '2000-01-01' AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, COLUMN_JSON(COLUMN_CREATE('a', id)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, COLUMN_GET(COLUMN_CREATE('a', id), 'a' AS INT) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, DECODE_ORACLE(id, 1, 'one', 'other') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, LENGTHB(name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CAST(name AS BINARY) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CONVERT(name USING utf8mb4) COLLATE utf8mb4_bin AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, name COLLATE utf8mb4_nopad_bin AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CONCAT_WS(',', id, NULL, name) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_EXTRACT(JSON_OBJECT('a', id), '$.a') + 1 AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, JSON_UNQUOTE(JSON_EXTRACT(JSON_OBJECT('a', name), '$.a')) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, VALUE(id) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, id IN (1, 2) IN (1) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ST_X(POINT(id, 2)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ST_AsGeoJSON(POINT(id, 2)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ST_Distance(POINT(id, 0), POINT(0, 0)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, MBRContains(POINT(1, 1), POINT(id, 1)) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, ROW(id, 1) = ROW(1, 1) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, (id, name) = (1, 'Alice') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, EXISTS(SELECT 1) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, CASE WHEN id > 1 THEN NULL END AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, LEAST(id, '2') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, GREATEST(name, 'b') AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, IFNULL(NULL, dt) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, NULLIF(id, 1) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, BENCHMARK(1, 1) AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, id XOR 1 AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, id & 3 | 4 ^ 1 AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, - id DIV 2 AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, name LIKE 'A%' COLLATE utf8mb4_bin AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, name NOT REGEXP '^a' AS x FROM images ORDER BY id LIMIT 2
[either] [ordered] SELECT id, name RLIKE BINARY 'a' AS x FROM images ORDER BY id LIMIT 2

-- ======================================================================
-- 10. Wrong answers found by corpus5, each fixed or refused since
-- ======================================================================
-- Each gave a different answer from the unsharded server when corpus5
-- was written; each is now refused, or answers as the server does.
--
-- A grouped SUM of a DECIMAL whose total passes the column's precision:
-- the server saturates it (65 nines, or 35.30 nines for DECIMAL(65,30))
-- where it groups through a temporary table; the router adds the shards'
-- (saturated) partial sums and returns a number wider than the column.
-- Was a wrong answer (found by corpus5), now refused: 399999…996 (66 digits) for the server's 65 nines
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT user_id % 2, SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) FROM images GROUP BY user_id % 2
-- Was a wrong answer (found by corpus5), now refused: no shard saturates (each sum < 10^65), the total does: 101620… for the server's 65 nines
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT user_id % 2 AS g, SUM(CAST(id AS DECIMAL(65,0)) * 10000000000000000000000000000000000000000000000000000000000000) FROM images WHERE id <= 200 GROUP BY 1
-- Was a wrong answer (found by corpus5), now refused: 3999…9.99…96 for the server's 99999999999999999999999999999999999.999999999999999999999999999999
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT user_id % 2 AS g, SUM(CAST(id AS DECIMAL(65,30)) * 1000000000000000000000000000000000) FROM images GROUP BY 1
-- Was a wrong answer (found by corpus5), now refused: the AVG over the saturated sum: 99627450…921.5686 for the server's 15882352…176.4706
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT user_id % 2 AS g, AVG(CAST(id AS DECIMAL(65,0)) * 10000000000000000000000000000000000000000000000000000000000000) FROM images WHERE id <= 200 GROUP BY 1
-- Was a wrong answer (found by corpus5), now refused: 1923076923…923.0769…0577 for the server's 201923076923…076.9230…1231
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT user_id % 2 AS g, AVG(CAST(id AS DECIMAL(65,30)) * 1000000000000000000000000000000000) FROM images GROUP BY 1
-- Was a wrong answer (found by corpus5), now refused: every group (NULL, 1, 2, …) differs the same way
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT parent_id, SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) FROM images GROUP BY parent_id
-- Was a wrong answer (found by corpus5), now refused: the order of the groups follows the sums, which differ
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT parent_id, SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) AS s FROM images GROUP BY parent_id ORDER BY s DESC, parent_id LIMIT 5
--
-- SUM and AVG of a DECIMAL product whose scale passes 38: MariaDB keeps
-- the digits past the 38th and prints 38; each shard sends its partial
-- sum rounded to 38 decimals, and the router adds the rounded sums.
-- Was a wrong answer (found by corpus5), now refused: …417655 for the server's …417656 (last digit)
[refuse:SUM or AVG of DECIMAL values with 38 decimals] SELECT SUM(id * 0.123456789012345678901234567 * 0.1234567890123456789) FROM images
-- Was a wrong answer (found by corpus5), now refused: 0.…11 for the server's 0.…10 (rows 0.55, 1.65, 2.2, 6.05 e-38)
[refuse:SUM or AVG of DECIMAL values with 38 decimals] SELECT SUM(id * 0.00000000000000000000000000000000000001 * 0.55) FROM images WHERE id IN (1, 3, 11, 4)
-- Was a wrong answer (found by corpus5), now refused: 0.…03 for the server's 0.…02
[refuse:SUM or AVG of DECIMAL values with 38 decimals] SELECT SUM(id * 0.000000000000000000000000000000000000011 * 0.5) FROM images WHERE id IN (1, 3)
-- Was a wrong answer (found by corpus5), now refused: 0.…02 for the server's 0.…01
[refuse:SUM or AVG of DECIMAL values with 38 decimals] SELECT AVG(id * 0.000000000000000000000000000000000000011 * 0.5) FROM images WHERE id IN (1, 3)
--
-- FOUND_ROWS() on the pooled Router: the Session (and so the proxy)
-- refuses it, the pooled Router runs it on whatever connection of the
-- home shard it takes, where the SQL_CALC_FOUND_ROWS query ran on
-- another shard's replica.
[either] SELECT SQL_CALC_FOUND_ROWS id FROM images WHERE id IN (4, 6, 7, 8) ORDER BY id LIMIT 1
-- Was a wrong answer (found by corpus5), now refused: 1 for the server's 4 (the proxy refuses it, rightly)
[noproxy] [refuse:FOUND_ROWS(), LAST_INSERT_ID()] SELECT FOUND_ROWS() AS f
-- Was a wrong answer (found by corpus5), now refused: 61 for the server's 1 (its value comes from another statement on that connection)
[either] SELECT SQL_CALC_FOUND_ROWS id FROM images WHERE id = 7 LIMIT 0
[noproxy] [refuse:FOUND_ROWS(), LAST_INSERT_ID()] SELECT FOUND_ROWS()
-- Was a wrong answer (found by corpus5), now refused: 7 | 1 for the server's 7 | 4 (pinned to shard 3's replica, which ran something else last)
[either] SELECT SQL_CALC_FOUND_ROWS id FROM images WHERE id IN (4, 6, 7, 8) ORDER BY id LIMIT 1
[noproxy] [refuse:FOUND_ROWS(), LAST_INSERT_ID()] SELECT id, FOUND_ROWS() FROM images WHERE id = 7
--
-- The pooled router refuses these now (they are values of one
-- connection). The proxy's session answers LAST_INSERT_ID() and ROW_COUNT() itself,
-- with an INT column (LONG, length 11, signed) where the server sends
-- BIGINT UNSIGNED and BIGINT (length 21).
-- Wrong metadata (found by corpus5): proxy column ROW_COUNT() INT32 for the server's INT64
[either] SELECT ROW_COUNT()
-- Wrong metadata (found by corpus5): proxy column LAST_INSERT_ID() INT32 without UNSIGNED for the server's UINT64
[either] SELECT LAST_INSERT_ID()
-- Wrong metadata (found by corpus5): the same beside a pinned read
[either] SELECT LAST_INSERT_ID() AS l, ROW_COUNT() AS r, id FROM images WHERE id = 7

--
-- GET_FORMAT(DATE|TIME|DATETIME|TIMESTAMP, …) in a scattered statement:
-- the router reprints its first argument as a quoted name (`DATE`), which
-- MariaDB rejects; every shard fails where the server answers (an error,
-- not a refusal naming the shape). Pinned, the text goes as written and runs.
-- Was an error (found by corpus5), now runs: shard error 1064 near '`DATE`, …' where the server answers
[ordered] SELECT id, DAYNAME(dt) AS n, MONTHNAME(dt) AS m, GET_FORMAT(DATE, 'ISO') AS f FROM images ORDER BY id LIMIT 3
-- Was an error (found by corpus5), now runs: shard error 1064 near '`DATETIME`, …' where the server answers
[ordered] SELECT id, GET_FORMAT(DATETIME, 'EUR') AS x FROM images ORDER BY id LIMIT 2
-- Was an error (found by corpus5), now runs: shard error 1064 near '`TIME`, …' where the server answers
[ordered] SELECT id, GET_FORMAT(TIME, 'USA') AS x FROM images ORDER BY id LIMIT 2
-- Was an error (found by corpus5), now runs: shard error 1064 near '`TIMESTAMP`, …' where the server answers
[ordered] SELECT id, GET_FORMAT(TIMESTAMP, 'JIS') AS x FROM images ORDER BY id LIMIT 2
-- Was an error (found by corpus5), now runs: shard error 1064 near '`DATE`, …' where the server answers
[ordered] SELECT id, DATE_FORMAT(dt, GET_FORMAT(DATE, 'EUR')) AS x FROM images ORDER BY id LIMIT 2
SELECT id, GET_FORMAT(DATE, 'ISO') AS f FROM images WHERE id = 7
--
-- Diagnostics of the previous statement: a read pinned to shard 3 (or
-- scattered) raises a warning on that shard's connection; SHOW WARNINGS,
-- SHOW ERRORS, SHOW COUNT(*) WARNINGS and @@warning_count then run on the
-- home shard's connection and answer with whatever it last held — through
-- the proxy's session too. The server answers with the read's warning.
SELECT CAST('abc' AS SIGNED) AS c FROM images WHERE id = 7
-- Was a wrong answer (found by corpus5), now refused: the proxy returns no row, or a stale "Error 1193 Unknown system variable 'found_rows'" left by an earlier statement, for the server's "Warning 1292 Truncated incorrect INTEGER value: 'abc'"
[refuse:SHOW WARNINGS, SHOW ERRORS] SHOW WARNINGS
SELECT CAST('abc' AS SIGNED) AS c FROM images WHERE id = 7
-- Was a wrong answer (found by corpus5), now refused: 0 for the server's 1
[refuse:SHOW WARNINGS, SHOW ERRORS] SELECT @@warning_count
SELECT CAST('abc' AS SIGNED) AS c FROM images ORDER BY id LIMIT 3
-- Was a wrong answer (found by corpus5), now refused: 0 for the server's 3
[refuse:SHOW WARNINGS, SHOW ERRORS] SHOW COUNT(*) WARNINGS
SELECT CAST('abc' AS SIGNED) AS c FROM images WHERE id = 7
-- Was a wrong answer (found by corpus5), now refused: a stale error row from an earlier statement where the server has none
[refuse:SHOW WARNINGS, SHOW ERRORS] SHOW ERRORS
