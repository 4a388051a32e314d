-- A second hand-written differential corpus for the sharding router: the
-- angles corpus.sql covers thinly. Same format and tags (see readCorpus in
-- corpus_test.go); TestHandCorpus2 in session_test.go runs it. Placeholders,
-- prepared statements and sessions need more than one statement or Go
-- arguments: those are the tests of session_test.go.
-- Shard placement under the hash vindex (4 shards), used below:
--   ids 1, 2, 24, 26, 31, 32, 33, 39, 43, 45, 18446744073709551615 -> shard 0
--   ids 3, 5, 9, 10, 13, 15, 16, 17, 21, 27, 30                    -> shard 1
--   ids 11, 14, 18, 19, 20, 22, 23, 28, 9223372036854775808        -> shard 2
--   ids 4, 6, 7, 8, 12, 25, 29, 34, 9223372036854775807            -> shard 3

-- ======================================================================
-- 1. Executable comments the parser and MariaDB read differently
-- ======================================================================
-- MariaDB runs /*!NNNNN … */ only below 50700 (MySQL 5.7+ dumps) or for
-- its own six-digit versions; the router's parser (MySQL 8.0.40) runs every
-- version up to 80040. Between the two, the router sees SQL that MariaDB
-- never runs.
[refuse:versioned executable comment] SELECT id FROM users WHERE id = 5 /*!50700 OR id = 8 */
[refuse:versioned executable comment] SELECT id FROM users WHERE id = 5 /*!60000 OR id = 8 */
[refuse:versioned executable comment] SELECT id FROM users WHERE id = 5 /*!80040 OR id = 8 */
[refuse:versioned executable comment] SELECT COUNT(*) FROM images WHERE id = 7 /*!80000 OR id > 0 */
[refuse:versioned executable comment] SELECT COUNT(*) FROM images /*!80000 WHERE id = 7 */
[refuse:versioned executable comment] SELECT id FROM images WHERE id = 7 /*!50700 AND id = 8 */
[ordered] [refuse:versioned executable comment] SELECT id /*!57000 , name */ FROM images ORDER BY id LIMIT 3
[refuse:versioned executable comment] SELECT id /*!57000 , name */ FROM images WHERE id = 7
[refuse:versioned executable comment] SELECT id FROM images WHERE id IN (7 /*!50700 , 8 */)
-- Versions both run, or both skip: must match.
SELECT id FROM users WHERE id = 5 /*!50699 OR id = 8 */
SELECT id FROM users WHERE id = 5 /*! OR id = 8 */
[refuse:versioned executable comment] SELECT id FROM users WHERE id = 5 /*!90000 OR id = 8 */
[refuse:versioned executable comment] SELECT id FROM users WHERE id = 5 /*!99999 OR id = 8 */
[refuse:versioned executable comment] SELECT COUNT(*) FROM images WHERE id = 7 /*!90000 OR id > 0 */
-- Ordinary comments.
SELECT id FROM images WHERE id = 7 # OR id = 8
SELECT id FROM images WHERE id = 7 -- OR id = 8
SELECT id FROM images WHERE id = 7 --	OR id = 8
SELECT id FROM images WHERE id = 7 /* OR id = 8 */
SELECT id FROM images WHERE id = 7 /*+ OR id = 8 */

-- ======================================================================
-- 2. ORDER BY and GROUP BY terms MariaDB takes for a column position
-- ======================================================================
-- TRUE is the integer 1 to MariaDB, so ORDER BY TRUE sorts by column 1.
[ordered] SELECT id, name FROM images ORDER BY TRUE, id DESC LIMIT 3
[ordered] SELECT id, name FROM images ORDER BY true DESC, id LIMIT 3
[ordered] SELECT user_id, id FROM images ORDER BY TRUE, id LIMIT 5
[ordered] SELECT id, name FROM images WHERE id IN (4, 6, 7, 8) ORDER BY TRUE DESC, name
[either][ordered] SELECT DISTINCT user_id FROM images ORDER BY TRUE DESC LIMIT 5
[either][ordered] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY TRUE DESC LIMIT 5
[either] SELECT user_id, COUNT(*) FROM images GROUP BY TRUE, user_id
-- Positions and constants spelled other ways.
[ordered] SELECT id, name FROM images ORDER BY +2, id LIMIT 3
[ordered] SELECT id, name FROM images ORDER BY (2), id LIMIT 3
[ordered] SELECT id, name FROM images ORDER BY 2.0, id LIMIT 3
[ordered] SELECT id, name FROM images ORDER BY '2', id LIMIT 3
[ordered] SELECT id, name FROM images ORDER BY 2 IS NULL, id LIMIT 3
[ordered] SELECT id FROM images ORDER BY 'x', id LIMIT 5
[ordered] SELECT id FROM images ORDER BY 'x' DESC, id DESC LIMIT 5
[ordered] SELECT id FROM images ORDER BY 1.5, id LIMIT 5
[ordered] SELECT id FROM images ORDER BY NULL, id DESC LIMIT 5
[ordered] SELECT user_id, COUNT(*) FROM images GROUP BY +1 ORDER BY 1 LIMIT 3

-- ======================================================================
-- 3. Expressions whose collation or character set is not the column's
-- ======================================================================
-- Multi-level UCA 14.0 collations: accent- or case-sensitive at a second
-- or third level. PAD SPACE: 'alice' and 'alice ' are one group.
[ci] [refuse:comparing text in collation] SELECT DISTINCT name COLLATE utf8mb4_uca1400_as_cs AS n FROM users
[ci] [refuse:comparing text in collation] SELECT DISTINCT name COLLATE utf8mb4_uca1400_ai_cs AS n FROM users
[ci] [refuse:comparing text in collation] SELECT DISTINCT name COLLATE utf8mb4_uca1400_as_ci AS n FROM images
[ci] [refuse:comparing text in collation] SELECT name COLLATE utf8mb4_uca1400_as_cs AS n, COUNT(*) FROM users GROUP BY name COLLATE utf8mb4_uca1400_as_cs
[ci] [refuse:comparing text in collation] SELECT name COLLATE utf8mb4_uca1400_as_cs AS n, COUNT(*) FROM images GROUP BY 1
[ci] [refuse:comparing text in collation] SELECT name COLLATE utf8mb4_uca1400_ai_cs AS n, COUNT(*), MIN(id) FROM images GROUP BY 1
[ci] [refuse:comparing text in collation] SELECT DISTINCT CONCAT(name, ' ') COLLATE utf8mb4_uca1400_as_cs AS p FROM images
[ordered] [refuse:comparing text in collation] SELECT id, name FROM images WHERE name NOT LIKE '% ' ORDER BY name COLLATE utf8mb4_uca1400_as_cs DESC, id LIMIT 80
-- The same collations where they work.
[ordered] [refuse:comparing text in collation] SELECT id, name FROM users WHERE name NOT LIKE '% ' ORDER BY name COLLATE utf8mb4_uca1400_as_cs, id
[ci] [refuse:comparing text in collation] SELECT MIN(name COLLATE utf8mb4_uca1400_as_cs), MAX(name COLLATE utf8mb4_uca1400_as_cs) FROM users
[ci] [refuse:comparing text in collation] SELECT user_id, MIN(name COLLATE utf8mb4_uca1400_as_cs), MAX(name COLLATE utf8mb4_uca1400_as_cs) FROM images GROUP BY user_id
SELECT COUNT(*) FROM images WHERE name = 'bob' COLLATE utf8mb4_uca1400_as_cs
[ordered] SELECT id, name FROM images ORDER BY name COLLATE utf8mb4_uca1400_ai_ci, id
[ordered] SELECT id, name FROM users ORDER BY name COLLATE utf8mb4_uca1400_nopad_ai_ci, id
[ci] SELECT DISTINCT path COLLATE utf8mb4_uca1400_ai_ci AS p FROM images
-- Tailored and other single-level collations.
[ordered] SELECT id, name FROM users ORDER BY name COLLATE utf8mb4_german2_ci, id
[ordered] SELECT id, name FROM users ORDER BY name COLLATE utf8mb4_danish_ci, id
[ordered] SELECT id, name FROM users ORDER BY name COLLATE utf8mb4_turkish_ci, id
[ordered] SELECT id, name FROM users ORDER BY name COLLATE utf8mb4_swedish_ci DESC, id
[ci] SELECT MIN(name COLLATE utf8mb4_german2_ci), MAX(name COLLATE utf8mb4_german2_ci) FROM users
[ci] SELECT name COLLATE utf8mb4_german2_ci AS n, COUNT(*) FROM users GROUP BY 1
[ci] SELECT name COLLATE utf8mb4_general_ci AS n, COUNT(*) FROM images GROUP BY name COLLATE utf8mb4_general_ci
[ci] SELECT DISTINCT name COLLATE utf8mb4_general_ci AS n FROM images
[ci] SELECT MIN(name COLLATE utf8mb4_general_ci), MAX(name COLLATE utf8mb4_general_ci) FROM images
-- Other character sets.
[ordered] SELECT id, name FROM images ORDER BY CONVERT(name USING latin1), id
[ordered] SELECT id, CONVERT(name USING latin1) AS c FROM images ORDER BY c DESC, id LIMIT 30
[ordered] SELECT id, name FROM images ORDER BY CONVERT(name USING ascii), id LIMIT 60
[ordered] SELECT id, name FROM users ORDER BY CONVERT(name USING ucs2), id
[ordered] SELECT id, name FROM users ORDER BY CONVERT(name USING greek), id
[ordered] SELECT id, name FROM users ORDER BY CONVERT(name USING sjis), id
[ordered] SELECT id, name FROM users ORDER BY CONVERT(name USING latin1) COLLATE latin1_german2_ci, id
[ordered] SELECT id, name FROM users WHERE name NOT LIKE '% ' ORDER BY CONVERT(name USING latin1) COLLATE latin1_bin, id
[ordered] SELECT id, name FROM users ORDER BY CONVERT(name USING binary), id
[ordered] SELECT id, name FROM users ORDER BY CAST(name AS CHAR CHARACTER SET utf16), id
[ordered] SELECT id, name FROM users ORDER BY CONVERT(name USING utf32) COLLATE utf32_bin DESC, id
[ci] SELECT CONVERT(name USING latin1) AS c, COUNT(*) FROM images GROUP BY CONVERT(name USING latin1)
[ci] SELECT DISTINCT CONVERT(name USING latin1) AS c FROM images
[ci] SELECT MIN(CONVERT(name USING latin1)), MAX(CONVERT(name USING latin1)) FROM images
[ci] SELECT DISTINCT CONVERT(name USING latin1) COLLATE latin1_bin AS n FROM users
[ci] SELECT CONVERT(name USING latin1) COLLATE latin1_bin AS n, COUNT(*) FROM users GROUP BY 1
SELECT MIN(CONVERT(name USING latin1) COLLATE latin1_bin), MAX(CONVERT(name USING latin1) COLLATE latin1_bin) FROM images
SELECT id, CONVERT(name USING latin1) = 'Zoe' AS a, CONVERT(name USING latin1) COLLATE latin1_bin AS b FROM images WHERE id IN (4, 16, 17)
-- Binary strings.
SELECT DISTINCT CAST(name AS BINARY) AS b FROM images
SELECT MIN(CAST(name AS BINARY)), MAX(CAST(name AS BINARY)) FROM users
[ordered] SELECT id, CAST(name AS BINARY) AS b FROM images ORDER BY b DESC, id LIMIT 40
[ordered] SELECT id, name FROM users ORDER BY CAST(name AS BINARY), id
[ordered] SELECT id, name FROM users ORDER BY BINARY LOWER(name), id
[ordered] SELECT id, name FROM users ORDER BY UPPER(name) COLLATE utf8mb4_bin, id
SELECT MIN(BINARY LOWER(name)), MAX(BINARY UPPER(name)) FROM users
[ci] SELECT UPPER(name) COLLATE utf8mb4_bin AS u, COUNT(*) FROM users GROUP BY UPPER(name) COLLATE utf8mb4_bin
SELECT CAST(name AS BINARY) AS b, COUNT(*) FROM users GROUP BY b
SELECT COUNT(*) FROM users WHERE name = BINARY 'alice'
SELECT COUNT(*) FROM users WHERE BINARY name IN ('alice', 'Alice')
SELECT COUNT(*) FROM users WHERE CAST(name AS BINARY) = 'ALICE'
SELECT COUNT(*) FROM images WHERE name COLLATE utf8mb4_bin = 'Bob'
SELECT COUNT(*) FROM images WHERE name = 'bob' COLLATE utf8mb4_general_ci
SELECT COUNT(*) FROM images WHERE name = _latin1'Zürich'
SELECT COUNT(*) FROM images WHERE name = _utf8mb4 0x5A6FC3AB
SELECT COUNT(*) FROM images WHERE name = CONVERT('Zoë' USING latin1)
SELECT COUNT(*) FROM images WHERE name IN ('bob' COLLATE utf8mb4_bin, 'Bob')
-- Text longer than max_sort_length (1024 bytes): MariaDB sorts by the
-- first 1024 bytes only, then by the next ORDER BY term.
[ordered] [refuse:max_sort_length] SELECT id, name FROM images ORDER BY CONCAT(REPEAT('x', 1100), name), id LIMIT 10
[ordered] [refuse:max_sort_length] SELECT id, name FROM images ORDER BY CONCAT(REPEAT('x', 1100), name) DESC, id LIMIT 10
[ordered] [refuse:max_sort_length] SELECT id, LENGTH(CONCAT(REPEAT('x', 1100), name)) AS l FROM images ORDER BY CONCAT(REPEAT('x', 1100), name), id LIMIT 10
[ordered] [refuse:max_sort_length] SELECT id, name FROM images ORDER BY CAST(CONCAT(REPEAT('x', 1100), name) AS BINARY), id LIMIT 10
[ordered] [refuse:max_sort_length] SELECT id FROM images ORDER BY CONCAT(REPEAT('x', 1100), id), id LIMIT 10
[ordered] SELECT id, name FROM images ORDER BY CONCAT(REPEAT('x', 300), name), id LIMIT 10

-- ======================================================================
-- 4. Mixed types: IFNULL, COALESCE, IF, CASE; strings against numbers
-- ======================================================================
[ordered] SELECT id, IFNULL(parent_id, 'x') AS p FROM images ORDER BY p, id LIMIT 40
[ordered] SELECT id, IFNULL(parent_id, 'x') AS p FROM images ORDER BY p DESC, id LIMIT 40
SELECT IFNULL(parent_id, 'x') AS p, COUNT(*) FROM images GROUP BY IFNULL(parent_id, 'x')
SELECT MIN(IFNULL(parent_id, 'x')), MAX(IFNULL(parent_id, 'x')) FROM images
SELECT MIN(IFNULL(parent_id, 'a')), MAX(IFNULL(parent_id, '10')) FROM images
[ordered] SELECT id, COALESCE(parent_id, name) AS p FROM images ORDER BY p, id LIMIT 60
[ci] SELECT MIN(COALESCE(parent_id, name)), MAX(COALESCE(parent_id, name)) FROM images
[ordered] SELECT id, COALESCE(parent_id, 1.5) AS p FROM images ORDER BY p, id LIMIT 40
SELECT MIN(COALESCE(parent_id, 1.5)), MAX(COALESCE(parent_id, 0.5)), SUM(COALESCE(parent_id, 0.25)) FROM images
[ordered] SELECT id, COALESCE(parent_id, 1e0) AS p FROM images ORDER BY p DESC, id LIMIT 40
[ordered] SELECT id, COALESCE(parent_id, name, 0) AS p FROM images ORDER BY p, id LIMIT 50
[ordered] SELECT id, IF(id % 2 = 0, id, name) AS v FROM images WHERE id <= 60 ORDER BY v, id
SELECT MIN(IF(id % 2 = 0, id, name)), MAX(IF(id % 2 = 0, id, name)) FROM images
[ordered] SELECT id, IF(id % 2 = 0, id, dt) AS v FROM images WHERE id <= 60 ORDER BY v, id
SELECT MIN(IF(id % 2 = 0, id, dt)), MAX(IF(id % 2 = 0, id, dt)) FROM images
[ordered] SELECT id, IF(id % 2 = 0, TIME(dt), dt) AS v FROM images WHERE id <= 60 ORDER BY v, id
[ordered] SELECT id, IF(parent_id IS NULL, 1.25, parent_id) AS p FROM images ORDER BY p, id LIMIT 30
[ordered] SELECT id, IF(parent_id IS NULL, '9', parent_id) AS p FROM images ORDER BY p DESC, id LIMIT 30
[ordered] SELECT id, CASE WHEN id % 3 = 0 THEN 'low' WHEN id % 3 = 1 THEN 'Mid' ELSE 'HIGH' END AS c FROM images WHERE id <= 30 ORDER BY c, id
SELECT CASE WHEN id % 3 = 0 THEN 'low' WHEN id % 3 = 1 THEN 'Mid' ELSE 'HIGH' END AS c, COUNT(*) FROM images GROUP BY CASE WHEN id % 3 = 0 THEN 'low' WHEN id % 3 = 1 THEN 'Mid' ELSE 'HIGH' END
SELECT MIN(CASE WHEN id % 3 = 0 THEN 'low' WHEN id % 3 = 1 THEN 'Mid' ELSE 'HIGH' END), MAX(CASE WHEN id % 3 = 0 THEN 'low' ELSE 'HIGH' END) FROM images
[ordered] SELECT id, CASE parent_id WHEN 1 THEN 'one' WHEN 2 THEN 'Two' ELSE 'other' END AS c FROM images ORDER BY c, id LIMIT 30
[ordered] SELECT id, CASE WHEN parent_id IS NULL THEN NULL ELSE 'x' END AS c FROM images ORDER BY c DESC, id LIMIT 30
SELECT COUNT(*) FROM images WHERE name = 0
SELECT COUNT(*) FROM images WHERE name > 5
SELECT COUNT(*) FROM images WHERE name IN (0, 1)
SELECT COUNT(*) FROM images WHERE name BETWEEN 1 AND 100
SELECT COUNT(*) FROM images WHERE name = 100
SELECT COUNT(*) FROM images WHERE name = -1
SELECT COUNT(*) FROM images WHERE path = 0
SELECT COUNT(*) FROM images WHERE user_id = '67abc'
SELECT COUNT(*) FROM images WHERE user_id IN ('67', ' 35', '4.0')
SELECT COUNT(*) FROM images WHERE parent_id = '1e0'
SELECT COUNT(*) FROM images WHERE dt = 20250302140000
SELECT COUNT(*) FROM images WHERE dt IN ('2025-03-02 14:00:00', 20250302090001)
SELECT name + 0 AS v, COUNT(*) FROM images WHERE name + 0 <> 0 GROUP BY name + 0
[ordered] SELECT id, name * 1 AS v FROM images WHERE name REGEXP '^[0-9-]' ORDER BY v, id

-- ======================================================================
-- 5. Dates the driver cannot hold: zero dates and zero parts
-- ======================================================================
-- '0000-00-00' and '0001-01-01' are two values; so are '2025-00-00' and
-- '2024-11-30', which a time.Time cannot tell apart.
SELECT IF(id % 2 = 0, CAST('0000-00-00' AS DATE), DATE('0001-01-01')) AS d, COUNT(*) FROM images GROUP BY 1
SELECT DISTINCT IF(id % 2 = 0, CAST('0000-00-00' AS DATE), DATE('0001-01-01')) AS d FROM images
SELECT IF(id % 2 = 0, CAST('2025-00-00' AS DATE), CAST('2024-11-30' AS DATE)) AS d, COUNT(*) FROM images GROUP BY 1
SELECT MIN(IF(id % 2 = 0, CAST('0000-00-00' AS DATE), DATE('0001-01-01'))) AS d FROM images
SELECT MIN(IF(id % 2 = 0, CAST('2025-00-00' AS DATE), CAST('2024-12-15' AS DATE))), MAX(IF(id % 2 = 0, CAST('2025-00-00' AS DATE), CAST('2024-12-15' AS DATE))) FROM images
[ordered] SELECT id, IF(id % 2 = 0, CAST('2025-02-00 10:00:00' AS DATETIME), CAST('2025-01-20 00:00:00' AS DATETIME)) AS d FROM images ORDER BY d DESC, id LIMIT 5

-- ======================================================================
-- 6. Aggregates and NULL
-- ======================================================================
SELECT COUNT(parent_id), COUNT(*), SUM(parent_id IS NULL) FROM images
SELECT parent_id, COUNT(*), COUNT(parent_id), SUM(parent_id), AVG(parent_id), MIN(parent_id), MAX(parent_id) FROM images GROUP BY parent_id
SELECT user_id, SUM(parent_id), AVG(parent_id), COUNT(parent_id), MIN(parent_id) FROM images GROUP BY user_id
SELECT SUM(parent_id), AVG(parent_id), MIN(parent_id), MAX(parent_id), BIT_AND(parent_id), BIT_OR(parent_id), BIT_XOR(parent_id) FROM images WHERE id <= 20
SELECT BIT_AND(id), BIT_OR(id), BIT_XOR(id) FROM images WHERE id > 500
SELECT user_id, BIT_AND(parent_id), BIT_OR(parent_id), BIT_XOR(parent_id) FROM images GROUP BY user_id
SELECT BIT_AND(CAST(id AS SIGNED) - 200), BIT_OR(CAST(id AS SIGNED) - 200), BIT_XOR(CAST(id AS SIGNED) - 200) FROM images
SELECT BIT_AND(id * 1.5), BIT_OR(id * 1.5), BIT_XOR(id * 1.5) FROM images
SELECT BIT_AND(name), BIT_OR(name), BIT_XOR(name) FROM images
SELECT BIT_OR(dt), BIT_XOR(dt) FROM images
SELECT AVG(CAST(id AS DECIMAL(65,38))) FROM images WHERE id IN (1, 3, 4)
SELECT AVG(CAST(id AS DECIMAL(65,30))) FROM images WHERE id IN (1, 3, 4)
SELECT AVG(CAST(id AS DECIMAL(40,34))) FROM images WHERE id IN (1, 3, 4)
SELECT AVG(id * 1.000000001) FROM images WHERE id IN (1, 3, 4)
SELECT AVG(id * 0.123456789012345678901234567) FROM images
SELECT SUM(id * 0.123456789012345678901234567), AVG(id * 0.1234567890123456789012345678901234567) FROM images
-- A grouped sum of 65 digits may saturate on the server in the order the
-- rows come (see corpus6.sql), so the router may refuse it.
[either] SELECT user_id, AVG(CAST(id AS DECIMAL(65,38))) FROM images GROUP BY user_id
SELECT AVG(-CAST(id AS SIGNED)) FROM images WHERE id IN (1, 3, 4)
SELECT user_id, AVG(-CAST(id AS SIGNED)) FROM images GROUP BY user_id
SELECT AVG(id * 1.5), SUM(id * 1.5) FROM users
SELECT user_id, AVG(user_id), SUM(user_id) FROM images GROUP BY user_id
SELECT SUM(CAST(id AS DECIMAL(65,0)) * 10000000000000000000000000000000000000000000) FROM users
SELECT AVG(id), MIN(id), MAX(id) FROM images WHERE parent_id IS NULL AND id > 20 AND id < 0
SELECT user_id, AVG(id) FROM images WHERE id > 1000 GROUP BY user_id
SELECT AVG(TIMESTAMPDIFF(SECOND, '2025-03-01', dt)) FROM images
SELECT AVG(id = 7), SUM(id = 7), SUM(id > 100) FROM images
SELECT AVG(name), SUM(name) FROM images WHERE name REGEXP '^[0-9]'
SELECT AVG(b'101'), SUM(0x10) FROM images
SELECT SUM(IF(parent_id IS NULL, 1.5, NULL)), AVG(IF(parent_id IS NULL, NULL, 2)) FROM images
SELECT SUM(IF(id > 398, 1e0, NULL)), COUNT(IF(id > 398, 1, NULL)) FROM images
SELECT MIN(parent_id), MAX(parent_id) FROM images WHERE id IN (1, 3, 4, 11)
SELECT MIN(TIME(dt)), MAX(TIME(dt)), MIN(-TIME(dt)) FROM images
SELECT MIN(TIMEDIFF(dt, '2025-03-10 00:00:00')), MAX(TIMEDIFF(dt, '2025-03-10 00:00:00')) FROM images
SELECT MAX(MAKETIME(id, 0, 0)), MIN(MAKETIME(-id, 0, 0)) FROM images
[refuse:DISTINCT aggregate] SELECT COUNT(*), COUNT(parent_id), COUNT(DISTINCT parent_id IS NULL) FROM images

-- ======================================================================
-- 7. LIMIT and OFFSET with DISTINCT, GROUP BY and nullable keys
-- ======================================================================
[ordered] SELECT DISTINCT user_id FROM images ORDER BY user_id LIMIT 5 OFFSET 3
[ordered] SELECT DISTINCT user_id FROM images ORDER BY user_id DESC LIMIT 0
[ordered] SELECT DISTINCT parent_id FROM images ORDER BY parent_id DESC LIMIT 5
[ordered] SELECT DISTINCT parent_id FROM images ORDER BY parent_id LIMIT 3
[ordered] SELECT DISTINCT parent_id, parent_id IS NULL AS n FROM images ORDER BY n DESC, parent_id LIMIT 4
[ordered] SELECT parent_id, COUNT(*) FROM images GROUP BY parent_id ORDER BY parent_id DESC LIMIT 3
[ordered] SELECT parent_id, COUNT(*) FROM images GROUP BY parent_id ORDER BY COUNT(*) DESC, parent_id LIMIT 3 OFFSET 1
[ordered] SELECT id, parent_id FROM images ORDER BY parent_id IS NULL DESC, parent_id DESC, id LIMIT 30
[ordered] SELECT id, parent_id FROM images ORDER BY -parent_id, id LIMIT 30
[ordered] SELECT id, parent_id FROM images ORDER BY -parent_id DESC, id LIMIT 30
[ordered] SELECT id, user_id, parent_id FROM images ORDER BY COALESCE(parent_id, 0) + user_id, id LIMIT 20
[ordered] SELECT id FROM images ORDER BY CONCAT(user_id, '-', name), id LIMIT 20
[ordered] SELECT id FROM images ORDER BY user_id % 7, name DESC, id LIMIT 20
[ordered] SELECT id FROM images ORDER BY id LIMIT 2 OFFSET 399
[ordered] SELECT id FROM images ORDER BY id LIMIT 9223372036854775807 OFFSET 398
[ordered] SELECT id FROM images ORDER BY id DESC LIMIT 18446744073709551614, 5
[ordered] SELECT id FROM images ORDER BY id LIMIT 18446744073709551614 OFFSET 2
[ordered] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY user_id LIMIT 18446744073709551615 OFFSET 18446744073709551615
[ordered] SELECT DISTINCT name FROM images ORDER BY name LIMIT 1 OFFSET 18446744073709551614
[ordered] SELECT id, name FROM images ORDER BY name DESC, id DESC LIMIT 3 OFFSET 18446744073709551615
[ordered] SELECT COUNT(*) FROM images ORDER BY COUNT(*) LIMIT 1
[ordered] SELECT MIN(id), MAX(id) FROM images ORDER BY 1 LIMIT 5
[ordered] SELECT id FROM images ORDER BY id LIMIT 0 OFFSET 5
SELECT id, name FROM images WHERE id = 7 ORDER BY name LIMIT 1
SELECT SUM(id), MIN(name) FROM images WHERE id = 7 LIMIT 5
[refuse:neither grouped nor aggregated] SELECT parent_id, COUNT(*) FROM images GROUP BY parent_id ORDER BY parent_id IS NULL, parent_id LIMIT 25

-- ======================================================================
-- 8. Syntax: quoting, escapes, literals, names, hints, other databases
-- ======================================================================
SELECT `images`.`id`, `name` FROM `images` WHERE `images`.`id` = 7
SELECT `my imgs`.id FROM images AS `my imgs` WHERE `my imgs`.id IN (3, 7)
SELECT `my imgs`.id, `my imgs`.`name` FROM images AS `my imgs` WHERE `my imgs`.`user_id` > 80
[ordered] SELECT id AS `x.y`, name AS `a b` FROM images ORDER BY `x.y` DESC LIMIT 4
[ordered] SELECT `i`.`id` AS `i.id` FROM `images` `i` ORDER BY `i.id` LIMIT 4
[ordered] SELECT id AS `i``d` FROM images ORDER BY `i``d` DESC LIMIT 3
[ordered] SELECT id AS "x y" FROM images ORDER BY "x y", id LIMIT 3
[ordered] SELECT id, name AS 'n' FROM images ORDER BY 'n', id LIMIT 3
[ordered] SELECT id, HEX('\a\Z\0\b\%\_\x\'\\') AS h FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, HEX("a\"b""c") AS h FROM images ORDER BY id LIMIT 2
SELECT COUNT(*) FROM images WHERE name = 'percent\%'
SELECT COUNT(*) FROM images WHERE name = 'under\_score'
SELECT COUNT(*) FROM images WHERE name LIKE 'under\_score'
SELECT COUNT(*) FROM images WHERE name LIKE 'back\\slash' ESCAPE '|'
SELECT COUNT(*) FROM images WHERE name LIKE 'a\\_b' ESCAPE '\\'
SELECT COUNT(*) FROM images WHERE name LIKE 'x3@%' ESCAPE '@'
SELECT COUNT(*) FROM images WHERE name = 'a' 'b' 'c'
[ordered] SELECT id, 7. AS x, .5e1 AS y, 1.e1 AS z, 00.50 AS w FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, ~0 AS a, 1 << 63 AS b, -9223372036854775808 AS c FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, CAST(id AS SIGNED INTEGER) AS a, CAST(id AS UNSIGNED INTEGER) AS b FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, 'a' = 'A' COLLATE utf8mb4_bin AS x, _utf8mb4'a' COLLATE utf8mb4_bin = 'A' AS y FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, TRIM(BOTH 'x' FROM name) AS t, MID(name, 2, 2) AS m, LOCATE('e', name, 2) AS l FROM images ORDER BY id LIMIT 30
[ordered] SELECT id, DATE_FORMAT(dt, '%W %M %D %j %U %u %V %v %x %X') AS f FROM images ORDER BY id LIMIT 5
[ordered] SELECT id, STR_TO_DATE(CONCAT('01/', id % 12 + 1, '/2025'), '%d/%m/%Y') AS d FROM images ORDER BY d, id LIMIT 10
SELECT id, TRIM(LEADING 'x' FROM name) AS t FROM images WHERE name LIKE 'x%'
SELECT id, SUBSTRING(name FROM 2 FOR 3) AS s FROM images WHERE id < 20
SELECT id, CHAR(77, 121 USING utf8mb4) AS c FROM images WHERE id < 5
SELECT id, CAST(id AS CHAR CHARACTER SET latin1) AS c, CHARSET(CAST(id AS CHAR CHARACTER SET latin1)) AS cs FROM images WHERE id < 5
SELECT id, CONVERT(name, BINARY) AS c FROM images WHERE id < 20
SELECT id, EXTRACT(DAY_MICROSECOND FROM dt) AS e, EXTRACT(YEAR_MONTH FROM dt) AS f FROM images WHERE id < 20
SELECT id, DATE_ADD(dt, INTERVAL '1:30' HOUR_MINUTE) AS d FROM images WHERE id < 20
SELECT id, WEIGHT_STRING(name AS CHAR(3)) AS w FROM images WHERE id < 20
SELECT id, FORMAT(id * 1000.5, 2) AS f, FORMAT(id * 1000.5, 2, 'de_DE') AS g FROM images WHERE id < 20
SELECT id, REGEXP_REPLACE(name, '[aeiou]', '') AS r, REGEXP_SUBSTR(name, '[0-9]+') AS s FROM images WHERE id < 20
SELECT id, COLLATION(name) AS c, COERCIBILITY(name) AS k, CHARSET(name) AS s FROM images WHERE id < 5
SELECT id, id IS TRUE AS a, parent_id IS UNKNOWN AS b, NOT parent_id <=> NULL AS c FROM images WHERE id < 30
SELECT COUNT(*) FROM images WHERE NOT id BETWEEN 5 AND 10
SELECT COUNT(*) FROM images WHERE ! id BETWEEN 5 AND 10
SELECT COUNT(*) FROM images WHERE id & 1 AND id ^ 3 > 10 AND id DIV 2 <> 3
SELECT COUNT(*) FROM images WHERE id = 7 && user_id > 0
SELECT COUNT(*) FROM images WHERE (id, user_id) = (7, 74)
SELECT COUNT(*) FROM images WHERE ROW(id, user_id) = ROW(7, 74)
SELECT id FROM images WHERE (id = 7) = TRUE
SELECT id FROM images WHERE id = 7 AND 1 = 1 XOR 0
SELECT id FROM images USE INDEX (PRIMARY) WHERE id IN (3, 7)
[ordered] SELECT id FROM images FORCE INDEX (PRIMARY) ORDER BY id DESC LIMIT 3
[ordered] SELECT id FROM images IGNORE INDEX (PRIMARY) ORDER BY id LIMIT 3
SELECT id FROM images WHERE id = 7 FOR UPDATE NOWAIT
[refuse:assignment to a user variable] SELECT @a := id FROM images WHERE id = 7
[refuse:assignment to a user variable] SELECT id FROM images WHERE id = 7 INTO @a
[refuse:assignment to a user variable] SELECT id, name FROM images WHERE id = 7 INTO @a, @b
[refuse:assignment to a user variable] SELECT 1 INTO @one
[refuse:on sharded table images] SELECT id FROM images WHERE id = 7 LIMIT 1 ROWS EXAMINED 10
[refuse:on sharded table images] SELECT id FROM images WHERE id IN (3, 7) FOR UPDATE WAIT 1
[refuse:on sharded table images] SELECT id, CAST(id AS INTEGER) AS i FROM images WHERE id < 5
[refuse:subquery] SELECT COUNT(*) FROM images WHERE id IN (SELECT 7)

-- ======================================================================
-- 9. Shard-key literals at the edges of MariaDB's conversions
-- ======================================================================
SELECT COUNT(*) FROM images WHERE id = 7 AND id = '7abc'
SELECT COUNT(*) FROM images WHERE id = 0b111
SELECT COUNT(*) FROM images WHERE id = x'07'
SELECT COUNT(*) FROM images WHERE id = b'111'
SELECT COUNT(*) FROM images WHERE id = '0b111'
SELECT COUNT(*) FROM images WHERE id = 7 COLLATE utf8mb4_bin
SELECT COUNT(*) FROM images WHERE id = '7' COLLATE utf8mb4_bin
SELECT COUNT(*) FROM images WHERE id = N'7'
SELECT COUNT(*) FROM images WHERE id = _binary'7'
SELECT COUNT(*) FROM images WHERE id = '7.4'
SELECT COUNT(*) FROM images WHERE id IN ('7.5', 8)
SELECT COUNT(*) FROM images WHERE id IN ('7e-0', ' 8', '9 ')
SELECT COUNT(*) FROM images WHERE id = '	7'
SELECT COUNT(*) FROM images WHERE id = ' +7'
SELECT COUNT(*) FROM images WHERE id = '+ 7'
SELECT COUNT(*) FROM images WHERE id = '--7'
SELECT COUNT(*) FROM images WHERE id = '7-'
SELECT COUNT(*) FROM images WHERE id = '0007.000'
SELECT COUNT(*) FROM images WHERE id = '7e'
SELECT COUNT(*) FROM images WHERE id = '70e-1'
SELECT COUNT(*) FROM images WHERE id = '-.0'
SELECT COUNT(*) FROM images WHERE id = '1e400'
SELECT COUNT(*) FROM users WHERE id = '9007199254740993'
SELECT id FROM users WHERE id IN ('18446744073709551615', '18446744073709551614')
SELECT id FROM users WHERE id IN ('18446744073709551615', 5)
SELECT id FROM users WHERE id IN ('9223372036854775807', 5)
SELECT id FROM users WHERE id IN ('4294967296.5', 5)
SELECT id FROM users WHERE id IN ('7.9', 5)
SELECT id FROM users WHERE id IN (7.9, 5)
SELECT id FROM users WHERE id IN (8e0, 5)
SELECT id FROM users WHERE id IN ('abc', 5)
SELECT id FROM users WHERE id IN (18446744073709551616, 7)
SELECT id FROM users WHERE id IN ('1e19', 5)
SELECT id FROM users WHERE id = '4294967296e0'
SELECT id FROM images WHERE 7 IN (id)
SELECT id FROM images WHERE id IN (3, 4) AND id = 7
SELECT COUNT(*) FROM likes WHERE image_id IN (7, 8) AND id IN (1, 2, 3)
SELECT l.id FROM likes l WHERE l.image_id = 7 AND l.id = l.image_id

-- ======================================================================
-- 10. Values of many types, for the protocol comparisons
-- ======================================================================
-- TestPreparedResults also runs these as prepared statements, whose
-- results the proxy sends in the binary protocol.
-- A FLOAT reaches the router as the server's 6-digit text (its backend
-- connections use the text protocol), so the proxy cannot send its full
-- bits to a binary-protocol client: compared in the text protocol only.
[noproxy] SELECT id, CAST(id/3 AS FLOAT) AS f, CAST(id*1000000 AS FLOAT) AS g FROM images WHERE id IN (1, 2, 3)
[ordered] [noproxy] SELECT id, CAST(id/7 AS FLOAT) AS f FROM images ORDER BY f DESC, id LIMIT 5
SELECT MIN(CAST(id/3 AS FLOAT)), MAX(CAST(id/7 AS FLOAT)) FROM images
SELECT id, id/3e0 AS d, id*1e300 AS e, id*1e-300 AS s FROM images WHERE id IN (1, 3, 7)
SELECT id, CAST(id/3 AS DECIMAL(65,30)) AS d, CAST(-id/3 AS DECIMAL(10,5)) AS n FROM images WHERE id IN (1, 3, 7)
SELECT id, TIMEDIFF('2025-03-01 00:00:00', dt) AS t, CAST(dt AS TIME(3)) AS u, SEC_TO_TIME(id * 10000.5) AS v FROM images WHERE id IN (1, 3, 7)
SELECT id, CAST('0000-00-00' AS DATE) AS z, CAST('0000-00-00 00:00:00' AS DATETIME(2)) AS y, DATE(dt) AS d FROM images WHERE id IN (1, 3, 7)
SELECT id, b'101' + 0 AS b, id & 5 AS a, id | 1024 AS o, ~id AS n FROM images WHERE id IN (1, 3, 7)
SELECT id, NULL AS n, CAST(NULL AS SIGNED) AS s, CAST(NULL AS CHAR) AS c FROM images WHERE id IN (1, 3, 7)
SELECT id, JSON_OBJECT('i', id, 'n', name) AS j, JSON_ARRAY(id, dt) AS a FROM images WHERE id IN (1, 3, 7)
