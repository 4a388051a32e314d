-- Hand-written differential corpus for the sharding router.
-- Four hash-sharded shards (users/images by id, likes by image_id) against
-- one unsharded server with the same rows. See corpus_test.go for the tags.
-- Shard placement under the hash vindex (4 shards), used below:
--   ids 1, 2, 24, 26, 18446744073709551615 -> shard 0
--   ids 3, 5, 9, 10, 13, 15                -> shard 1
--   ids 11, 14, 18, 19, 20, 9223372036854775808, 4294967296 -> shard 2
--   ids 4, 6, 7, 8, 12, 9223372036854775807, 9223372036854775813 -> shard 3

-- ======================================================================
-- 1. Statements that look pinned but are not
-- ======================================================================

-- 1a. Self-joins on non-key columns: only one alias is pinned.
[refuse:cross-shard join] SELECT p.id, c.id FROM images p JOIN images c ON c.parent_id = p.id WHERE p.id = 3
[refuse:cross-shard join] SELECT COUNT(*) FROM images p JOIN images c ON c.parent_id = p.id WHERE p.id = 3
[refuse:cross-shard join] SELECT c.id, c.name FROM images p LEFT JOIN images c ON c.parent_id = p.id WHERE p.id = 5
[refuse:cross-shard join] SELECT p.name FROM images c JOIN images p ON p.id = c.parent_id WHERE c.id = 25
[refuse:cross-shard join] SELECT c.id, p.id FROM images c, images p WHERE c.id = 25 AND p.id = c.parent_id
[refuse:cross-shard join] SELECT COUNT(*) FROM images a JOIN images b ON a.user_id = b.user_id WHERE a.id = 7
[refuse:cross-shard join] SELECT COUNT(*) FROM images a JOIN images b USING (user_id) WHERE a.id = 7
[refuse:cross-shard join] SELECT COUNT(*) FROM images a NATURAL JOIN likes l WHERE a.id = 7
[refuse:cross-shard join] SELECT a.id, b.id FROM images a JOIN images b ON b.id = 3 WHERE a.id = 7
[refuse:cross-shard join] SELECT COUNT(*) FROM images a JOIN images b ON a.id = b.id WHERE b.id IN (3, 7)
[refuse:cross-shard join] SELECT COUNT(*) FROM images a JOIN images b ON b.parent_id = a.id AND b.id = 7 WHERE a.user_id = 5
[refuse:cross-shard join] SELECT COUNT(*) FROM images a, images b WHERE a.id = 7 AND b.id = a.parent_id
[refuse:cross-shard join] SELECT COUNT(*) FROM images A JOIN images a ON a.parent_id = A.id WHERE A.id = 3 AND a.id > 20
-- Both aliases pinned, to the same shard: must run and match.
SELECT a.id, b.id FROM images a JOIN images b ON b.id = 8 WHERE a.id = 7
SELECT COUNT(*) FROM images a JOIN images b ON a.id = b.id WHERE b.id IN (3, 5, 9, 10)
SELECT COUNT(*) FROM images a JOIN images b USING (id) WHERE a.id = 7
SELECT a.id, b.id, b.parent_id FROM images a LEFT JOIN images b ON b.id = a.id AND b.parent_id IS NOT NULL WHERE a.id = 12
SELECT a.id, b.name FROM images a JOIN images b ON b.id = a.id WHERE a.id = 7 AND b.id = 7

-- 1b. Scalar subqueries over the whole table in a pinned query.
[refuse:subquery] SELECT id, (SELECT COUNT(*) FROM images) FROM images WHERE id = 3
[refuse:subquery] SELECT id, (SELECT MAX(id) FROM images) AS m FROM images WHERE id = 7
[refuse:subquery] SELECT i.id, (SELECT COUNT(*) FROM likes) AS n FROM images i WHERE i.id = 7
[refuse:subquery] SELECT i.id, (SELECT COUNT(*) FROM likes l WHERE l.user_id = i.user_id) AS n FROM images i WHERE i.id = 7
[refuse:subquery] SELECT u.id, (SELECT COUNT(*) FROM images i WHERE i.user_id = u.id) AS n FROM users u WHERE u.id = 5
[refuse:subquery] SELECT id FROM images WHERE id = (SELECT MAX(image_id) FROM likes)
[refuse:subquery] SELECT id FROM images WHERE id = 7 AND user_id > (SELECT AVG(user_id) FROM images)
[refuse:subquery] SELECT i.id, (SELECT COUNT(*) FROM likes l WHERE l.image_id = 3) AS n FROM images i WHERE i.id = 7
[refuse:subquery] SELECT user_id, COUNT(*) FROM images WHERE id IN (7, 8, 12) GROUP BY user_id HAVING COUNT(*) > (SELECT COUNT(*) FROM likes)
[refuse:subquery] SELECT id FROM images WHERE id IN (7, 8) ORDER BY (SELECT COUNT(*) FROM likes l WHERE l.user_id = images.user_id), id
[refuse:subquery] SELECT id, (SELECT 1) AS one FROM images WHERE id < 5
-- Subqueries pinned to the outer row's shard: must run and match.
SELECT i.id, (SELECT COUNT(*) FROM likes l WHERE l.image_id = i.id) AS c FROM images i WHERE i.id = 7
SELECT i.id, (SELECT COUNT(*) FROM likes l WHERE l.image_id = i.id) AS c FROM images i WHERE i.id IN (4, 6, 7, 8, 12)
SELECT i.id, (SELECT MAX(l.dt) FROM likes l WHERE l.image_id = i.id) AS last_like FROM images i WHERE i.id = 3
SELECT i.id, (SELECT COUNT(*) FROM likes l WHERE l.image_id = 8) AS n FROM images i WHERE i.id = 7
SELECT u.id, (SELECT COUNT(*) FROM likes l WHERE l.image_id = u.id) AS n FROM users u WHERE u.id = 7
[ordered] SELECT id FROM images WHERE id IN (4, 6, 7, 8) ORDER BY (SELECT COUNT(*) FROM likes l WHERE l.image_id = images.id) DESC, id
SELECT user_id, COUNT(*) FROM images WHERE id IN (7, 8, 12) GROUP BY user_id HAVING COUNT(*) > (SELECT COUNT(*) FROM likes WHERE image_id = 8)

-- 1c. Derived tables that rename a non-key column to the key's name.
[refuse:derived table] SELECT COUNT(*) FROM (SELECT user_id AS id FROM images) t WHERE id = 5
[refuse:derived table] SELECT t.id, t.name FROM (SELECT user_id AS id, name FROM images) t WHERE t.id = 5
[refuse:derived table] SELECT t.id FROM (SELECT parent_id AS id FROM images) AS t WHERE t.id = 3
[refuse:derived table] SELECT COUNT(*) FROM (SELECT image_id AS id FROM likes) t WHERE id = 7
[refuse:derived table] SELECT COUNT(*) FROM (SELECT user_id AS image_id FROM likes) t WHERE t.image_id = 7
[refuse:derived table] SELECT COUNT(*) FROM (SELECT id AS image_id FROM images) t JOIN likes l ON l.image_id = t.image_id WHERE l.image_id = 7
[refuse:derived table] WITH t AS (SELECT user_id AS id FROM images) SELECT COUNT(*) FROM t WHERE id = 5
[refuse:derived table] SELECT MAX(t.c) FROM (SELECT user_id, COUNT(*) AS c FROM images GROUP BY user_id) t
[refuse:derived table] SELECT COUNT(*) FROM (SELECT id FROM images WHERE id = 7) t JOIN images i ON i.parent_id = t.id
[refuse:derived table] WITH t AS (SELECT 1 AS id) SELECT COUNT(*) FROM t JOIN images i ON i.id = t.id
[refuse:derived table] SELECT COUNT(*) FROM (SELECT id FROM images UNION ALL SELECT id FROM users) t WHERE t.id = 7
-- Derived tables pinned inside: must run and match.
SELECT * FROM (SELECT * FROM images WHERE id = 5) t
SELECT t.c FROM (SELECT COUNT(*) AS c FROM likes WHERE image_id = 5) t
WITH t AS (SELECT * FROM likes WHERE image_id = 5) SELECT COUNT(*), MIN(t.id) FROM t
SELECT t.id, l.id FROM (SELECT id FROM images WHERE id = 7) t JOIN likes l ON l.image_id = 7

-- 1d. LEFT/RIGHT JOINs whose ON names a different key than the WHERE.
[refuse:cross-shard join] SELECT i.id, l.id FROM images i LEFT JOIN likes l ON l.image_id = i.parent_id WHERE i.id = 25
[refuse:cross-shard join] SELECT i.id, l.id FROM images i LEFT JOIN likes l ON l.image_id = i.user_id WHERE i.id = 7
[refuse:cross-shard join] SELECT i.id, l.id FROM likes l RIGHT JOIN images i ON l.image_id = i.id WHERE l.image_id = 7
[refuse:cross-shard join] SELECT i.id, l.id FROM images i LEFT JOIN likes l ON l.image_id = i.id WHERE l.image_id = 7
[refuse:cross-shard join] SELECT i.id, l.id FROM images i LEFT JOIN likes l ON l.image_id = 3 WHERE i.id = 8
[refuse:cross-shard join] SELECT i.id, l.id FROM images i RIGHT JOIN likes l ON l.image_id = i.id WHERE i.id = 7
[refuse:cross-shard join] SELECT i.id, u.id FROM images i LEFT JOIN users u ON u.id = i.user_id WHERE i.id = 7
[refuse:cross-shard join] SELECT COUNT(*) FROM images i LEFT JOIN (likes l JOIN users u ON u.id = l.user_id) ON l.image_id = i.id WHERE i.id = 7
-- Outer joins that are really pinned: must run and match.
SELECT i.id, l.id FROM images i LEFT JOIN likes l ON l.image_id = 7 WHERE i.id = 8
SELECT i.id, COUNT(l.id) FROM images i LEFT JOIN likes l ON l.image_id = i.id WHERE i.id = 10 GROUP BY i.id
SELECT i.id, l.id FROM likes l RIGHT JOIN images i ON l.image_id = i.id WHERE i.id = 8
SELECT i.id, l.id, l.user_id FROM images i LEFT JOIN likes l ON l.image_id = i.id WHERE i.id = 7
SELECT COUNT(*) FROM images i LEFT JOIN (likes l JOIN images j ON j.id = l.image_id) ON l.image_id = i.id WHERE i.id = 7

-- 1e. Correlated EXISTS/IN subqueries.
[refuse:subquery] SELECT id FROM images i WHERE EXISTS (SELECT 1 FROM likes l WHERE l.image_id = i.id) AND i.user_id = 5
[refuse:subquery] SELECT i.id FROM images i WHERE i.id = 7 AND EXISTS (SELECT 1 FROM likes l WHERE l.user_id = i.user_id)
[refuse:subquery] SELECT i.id FROM images i WHERE i.id = 7 AND i.user_id IN (SELECT user_id FROM likes)
[refuse:subquery] SELECT i.id FROM images i WHERE i.id = 7 AND i.user_id IN (SELECT l.user_id FROM likes l WHERE l.image_id = i.parent_id)
[refuse:subquery] SELECT i.id FROM images i WHERE i.id = 7 AND NOT EXISTS (SELECT 1 FROM images c WHERE c.parent_id = i.id)
[refuse:subquery] SELECT i.id FROM images i WHERE i.id = 7 AND EXISTS (SELECT 1 FROM images i WHERE i.parent_id = 7)
[refuse:subquery] SELECT i.id FROM images i WHERE i.id = 7 AND EXISTS (SELECT 1 FROM likes WHERE image_id = i.parent_id)
[refuse:subquery] SELECT id FROM images WHERE id = 7 AND id IN (SELECT image_id FROM likes)
[refuse:subquery] SELECT i.id FROM images i WHERE i.id IN (3, 7) AND EXISTS (SELECT 1 FROM likes l WHERE l.image_id = i.id)
[refuse:subquery] SELECT i.id FROM images i WHERE i.id = 7 OR EXISTS (SELECT 1 FROM likes l WHERE l.image_id = i.id)
[refuse:subquery] SELECT COUNT(*) FROM likes l WHERE l.user_id IN (SELECT u.id FROM users u WHERE u.name = 'bob')
[refuse:subquery] SELECT id FROM images WHERE id = 7 AND user_id = ANY (SELECT user_id FROM images WHERE parent_id = 7)
-- Correlated subqueries pinned through the outer key: must run and match.
SELECT i.id FROM images i WHERE i.id = 7 AND EXISTS (SELECT 1 FROM likes l WHERE l.image_id = i.id)
SELECT i.id FROM images i WHERE i.id IN (7, 8) AND NOT EXISTS (SELECT 1 FROM likes l WHERE l.image_id = i.id)
SELECT i.id FROM images i WHERE i.id = 7 AND i.user_id IN (SELECT l.user_id FROM likes l WHERE l.image_id = 7)
SELECT i.id FROM images i WHERE i.id = 7 AND EXISTS (SELECT 1 FROM likes WHERE image_id = i.id)
SELECT id FROM images WHERE id = 7 AND id IN (SELECT image_id FROM likes WHERE image_id = 7)
SELECT l.id FROM likes l WHERE l.image_id = 3 AND EXISTS (SELECT 1 FROM images WHERE id = l.image_id AND parent_id IS NULL)

-- 1f. Joins of users to images by user_id (different keys).
[refuse:cross-shard join] SELECT u.name, i.id FROM users u JOIN images i ON i.user_id = u.id WHERE u.id = 5
[refuse:cross-shard join] SELECT COUNT(*) FROM users u JOIN images i ON i.user_id = u.id WHERE u.id = 18446744073709551615
[refuse:cross-shard join] SELECT u.id FROM images i JOIN users u ON u.id = i.user_id WHERE i.id = 7
[refuse:cross-shard join] SELECT COUNT(*) FROM likes l JOIN users u ON u.id = l.user_id WHERE l.image_id = 7
[refuse:cross-shard join] SELECT COUNT(*) FROM likes l JOIN images i ON i.id = l.image_id WHERE l.user_id = 5
[refuse:cross-shard join] SELECT COUNT(*) FROM images i JOIN likes l ON l.image_id = i.id
[refuse:cross-shard join] SELECT COUNT(*) FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = 7 OR i.id = 3
[refuse:cross-shard join] SELECT i.id, l.id FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id IN (3, 7)
[refuse:cross-shard join] SELECT COUNT(*) FROM users u, images i WHERE u.id = 7 AND i.user_id = 7
-- Joins pinned by the key on both sides: must run and match.
SELECT l.id, l.user_id FROM likes l JOIN images i ON l.image_id = i.id WHERE i.id = 7
SELECT COUNT(*) FROM likes l JOIN images i ON l.image_id = i.id WHERE l.image_id = 7
[ordered] SELECT i.id, l.id FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id IN (7, 8, 12) ORDER BY l.id
SELECT u.id, i.id FROM users u JOIN images i ON i.id = u.id WHERE u.id = 5
[ordered] SELECT u.name, l.id FROM users u JOIN likes l ON l.image_id = u.id WHERE u.id = 7 ORDER BY l.id
SELECT COUNT(*) FROM images i, likes l WHERE l.image_id = i.id AND i.id = 7
SELECT COUNT(*) FROM images i STRAIGHT_JOIN likes l ON l.image_id = i.id WHERE i.id = 7
SELECT COUNT(*) FROM (images i JOIN likes l ON l.image_id = i.id) WHERE i.id = 7
SELECT COUNT(*) FROM images i JOIN likes l ON l.image_id = i.id JOIN users u ON u.id = i.id WHERE i.id = 7
SELECT COUNT(*) FROM images i JOIN likes l ON l.image_id = i.id AND i.id = 7
SELECT i.name, l.dt FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = '7'

-- 1g. UNIONs.
[refuse:UNION] SELECT id FROM images WHERE id = 3 UNION SELECT id FROM images WHERE id = 7
[refuse:UNION] SELECT id FROM images UNION SELECT id FROM users
[refuse:UNION] SELECT id FROM images WHERE id = 7 UNION ALL SELECT image_id FROM likes WHERE image_id = 3
[refuse:UNION] SELECT COUNT(*) FROM images UNION ALL SELECT COUNT(*) FROM likes
[refuse:UNION] SELECT id FROM images WHERE id = 7 AND id IN (SELECT id FROM images WHERE id = 7 UNION SELECT id FROM images WHERE id = 3)
SELECT id FROM images WHERE id = 7 UNION ALL SELECT id FROM images WHERE id = 8
SELECT name FROM users WHERE id = 7 UNION SELECT name FROM images WHERE id = 8
[ordered] SELECT id, name FROM images WHERE id IN (4, 6) UNION SELECT id, name FROM users WHERE id = 7 ORDER BY id

-- 1h. The SQL parser sees a different statement than MariaDB runs.
-- MariaDB executes /*M! ... */ comments; a parser that drops them pins the
-- statement to the wrong shard or to no table at all.
[refuse:executable comment] SELECT id FROM users WHERE id = 5 /*M! OR id = 8 */
[refuse:executable comment] SELECT COUNT(*) FROM images WHERE id = 7 /*M!100000 OR id > 0 */
[refuse:executable comment] SELECT COUNT(*) /*M! FROM images */
SELECT id FROM users WHERE id = 5 /*!50000 OR id = 8 */
SELECT id FROM images WHERE id = 7--1
SELECT id FROM images WHERE id = 5 || id = 6
-- A CTE's name is visible only in its own scope; the real table elsewhere.
[refuse:derived table or CTE] WITH images AS (SELECT id FROM images) SELECT COUNT(*) FROM images
WITH likes AS (SELECT * FROM likes WHERE image_id = 7) SELECT COUNT(*) FROM likes
[refuse:derived table or CTE] SELECT (WITH images AS (SELECT 1 AS id) SELECT COUNT(*) FROM images) AS a, (SELECT COUNT(*) FROM images) AS b FROM users WHERE id = 1
[refuse:derived table or CTE] SELECT COUNT(*) FROM (WITH images AS (SELECT 1 AS id) SELECT id FROM images) t JOIN images i ON i.id > t.id
-- Table references in places the analysis may not look.
[refuse:subquery] SELECT COUNT(*) FROM JSON_TABLE((SELECT JSON_ARRAYAGG(id) FROM images), '$[*]' COLUMNS (x INT PATH '$')) jt
[refuse:subquery] SELECT id, SUM(id) OVER w AS s FROM images WHERE id IN (7, 8) WINDOW w AS (PARTITION BY id < (SELECT COUNT(*) / 50 FROM images))
SELECT COUNT(*) FROM images i, JSON_TABLE(CONCAT('[', i.id, ']'), '$[*]' COLUMNS (x INT PATH '$')) jt WHERE i.id = 7
[refuse:executable comment] SELECT COUNT(*) FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = 7 /*M! OR i.id = 3 */
[refuse:executable comment] SELECT COUNT(*) FROM likes WHERE image_id = 7 /*M! OR image_id = 3 */
[refuse:executable comment] SELECT COUNT(*) FROM images WHERE id IN (7 /*M!, 3 */)
[ordered] [refuse:executable comment] SELECT id+1 /*M! , id+2 */ FROM images ORDER BY id LIMIT 3
[refuse:derived table or CTE] WITH users AS (SELECT * FROM users WHERE id > 90) SELECT COUNT(*) FROM users
WITH images AS (SELECT * FROM images WHERE id = 7) SELECT COUNT(*), MIN(name) FROM images
SELECT jt.x FROM JSON_TABLE((SELECT JSON_ARRAYAGG(id) FROM likes WHERE image_id = 7), '$[*]' COLUMNS (x INT PATH '$')) jt
[refuse:subquery] SELECT id, ROW_NUMBER() OVER w AS r FROM images WHERE id IN (7, 8) WINDOW w AS (ORDER BY (SELECT MAX(id) FROM images) - id)
-- Table aliases are case-sensitive in MariaDB: A (outer likes) is not a (inner images).
[refuse:subquery] SELECT A.id, (SELECT COUNT(*) FROM images a WHERE A.id = 25) AS n FROM likes A WHERE A.image_id = 7
SELECT I.id, i.id FROM images I JOIN likes i ON i.image_id = I.id WHERE I.id = 7

-- ======================================================================
-- 2. Statements the router cannot see into
-- ======================================================================
[refuse:CHECKSUM TABLE] CHECKSUM TABLE images
[refuse:CHECKSUM TABLE] CHECKSUM TABLE likes
[refuse:CHECKSUM TABLE] CHECKSUM TABLE users EXTENDED
[refuse:CHECKSUM TABLE] CHECKSUM TABLE images, users QUICK
[refuse:CHECKSUM TABLE] checksum table `images`
[refuse:CHECKSUM TABLE] CHECKSUM   TABLE   likes
[refuse:CHECKSUM TABLE] /* audit */ CHECKSUM TABLE images
[refuse:PREPARE] PREPARE s FROM 'SELECT * FROM images'
[refuse:PREPARE] PREPARE s FROM 'SELECT COUNT(*) FROM likes WHERE image_id = ?'
[refuse:PREPARE] PREPARE s FROM 'SELECT * FROM images WHERE id = 5'
[refuse:PREPARE] PREPARE s FROM "SELECT name FROM users"
[refuse:PREPARE] PREPARE s FROM 'SELECT * FROM `images`'
[refuse:PREPARE] PREPARE s FROM 'SELECT * FROM ima' 'ges'
[refuse:PREPARE] PREPARE s FROM 'CHECKSUM TABLE images'
[refuse:PREPARE] PREPARE s FROM _utf8mb4'SELECT * FROM images'
[refuse:PREPARE] PREPARE s FROM 'WITH t AS (SELECT 1) SELECT * FROM images'
[refuse:PREPARE] PREPARE s FROM 0x53454c454354202a2046524f4d20696d61676573
[refuse:PREPARE] PREPARE s FROM CONCAT('SELECT COUNT(*) FROM ima', 'ges')
[refuse:executable comment] PREPARE s FROM 'SELECT COUNT(*) /*M! FROM images */'
[refuse:EXECUTE IMMEDIATE] EXECUTE IMMEDIATE 'SELECT COUNT(*) FROM images'
[refuse:EXECUTE IMMEDIATE] EXECUTE IMMEDIATE CONCAT('SELECT COUNT(*) FROM ima', 'ges')
[refuse:makes state of one connection] PREPARE s FROM 'SELECT 1'
[refuse:EXECUTE IMMEDIATE] EXECUTE IMMEDIATE 0x53454c45435420434f554e54282a292046524f4d20696d61676573
SET STATEMENT max_statement_time=10 FOR SELECT COUNT(*) FROM images
SET STATEMENT max_statement_time=10, join_buffer_size=262144 FOR SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY user_id LIMIT 5
SET STATEMENT max_statement_time=10 FOR SELECT id, name FROM images ORDER BY dt DESC, id LIMIT 3
[refuse:SET STATEMENT] SET STATEMENT sql_select_limit=2 FOR SELECT id FROM images ORDER BY id
[refuse:INTO] SELECT COUNT(*) FROM images INTO @x

-- ======================================================================
-- 3. Aggregates
-- ======================================================================
-- 3a. Aggregates that do not combine from per-shard results.
[refuse:aggregate STD] SELECT STD(id) FROM images
[refuse:aggregate STDDEV] SELECT STDDEV(user_id) FROM images
[refuse:aggregate STDDEV_POP] SELECT STDDEV_POP(id) FROM images
[refuse:aggregate STDDEV_SAMP] SELECT STDDEV_SAMP(id) FROM images
[refuse:aggregate VARIANCE] SELECT VARIANCE(id) FROM images
[refuse:aggregate VAR_SAMP] SELECT VAR_SAMP(id) FROM images
[refuse:aggregate VAR_POP] SELECT VAR_POP(parent_id) FROM images
[refuse:aggregate JSON_ARRAYAGG] SELECT JSON_ARRAYAGG(id) FROM images
[refuse:aggregate JSON_OBJECTAGG] SELECT JSON_OBJECTAGG(id, name) FROM images WHERE id < 5
[refuse:aggregate GROUP_CONCAT] SELECT GROUP_CONCAT(id ORDER BY id) FROM images
[refuse:aggregate GROUP_CONCAT] SELECT user_id, GROUP_CONCAT(name) FROM images GROUP BY user_id
[refuse:aggregate STD] SELECT user_id, STD(id) FROM images GROUP BY user_id
[refuse:aggregate VARIANCE] SELECT COUNT(*), VARIANCE(id) FROM images WHERE id IN (1, 3)
[refuse:DISTINCT aggregate] SELECT COUNT(DISTINCT user_id) FROM images
[refuse:DISTINCT aggregate] SELECT SUM(DISTINCT user_id) FROM images
[refuse:DISTINCT aggregate] SELECT AVG(DISTINCT user_id) FROM images
[refuse:DISTINCT aggregate] SELECT COUNT(DISTINCT user_id, parent_id) FROM images
[refuse:DISTINCT aggregate] SELECT parent_id, COUNT(DISTINCT user_id) FROM images GROUP BY parent_id
[refuse:DISTINCT aggregate] SELECT COUNT(DISTINCT name) FROM users
[refuse:DISTINCT aggregate] SELECT COUNT(DISTINCT image_id) FROM likes WHERE image_id IN (3, 7)
[refuse:over a division] SELECT SUM(id/7) FROM images
[refuse:over a division] SELECT AVG(id/3) FROM images
[refuse:over a division] SELECT SUM(ROUND(id/3, 2)) FROM images
[refuse:over a division] SELECT user_id, AVG(id / user_id) FROM images GROUP BY user_id
[refuse:expression over an aggregate] SELECT COUNT(*) + 1 FROM images
[refuse:expression over an aggregate] SELECT SUM(id) / COUNT(*) FROM images
[refuse:expression over an aggregate] SELECT MAX(id) - MIN(id) FROM images
[refuse:expression over an aggregate] SELECT ROUND(AVG(id), 1) FROM images
[refuse:expression over an aggregate] SELECT IFNULL(MAX(parent_id), 0) FROM images
[refuse:expression over an aggregate] SELECT user_id, COUNT(*) * 2 FROM images GROUP BY user_id
[refuse:HAVING] SELECT user_id, COUNT(*) FROM images GROUP BY user_id HAVING COUNT(*) > 5
[refuse:HAVING] SELECT name FROM images GROUP BY name HAVING name LIKE 'a%'
[refuse:HAVING] SELECT COUNT(*) FROM images HAVING COUNT(*) > 0
[refuse:neither grouped nor aggregated] SELECT user_id, name, COUNT(*) FROM images GROUP BY user_id
[refuse:neither grouped nor aggregated] SELECT id, COUNT(*) FROM images
SELECT user_id AS id, COUNT(*) FROM images GROUP BY id
[refuse:neither grouped nor aggregated] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY dt
[refuse:WITH ROLLUP] SELECT user_id, COUNT(*) FROM images GROUP BY user_id WITH ROLLUP
[refuse:SELECT DISTINCT with aggregates] SELECT DISTINCT user_id, COUNT(*) FROM images GROUP BY user_id
[refuse:SELECT * with aggregates] SELECT *, COUNT(*) FROM images WHERE id < 5

-- 3b. Aggregates that combine exactly: must match.
SELECT COUNT(*) FROM images
SELECT COUNT(*), COUNT(parent_id), COUNT(1), COUNT(NULL) FROM images
SELECT SUM(id), SUM(user_id), SUM(parent_id) FROM images
SELECT AVG(id), AVG(user_id), AVG(parent_id) FROM images
SELECT AVG(id*1.5), AVG(user_id+0.25), AVG(parent_id*0.001) FROM images
SELECT SUM(id*1.5), SUM(user_id+0.25), MIN(id*1.5), MAX(user_id+0.25) FROM images
SELECT SUM(id*1e0), AVG(id*1e0) FROM images
SELECT SUM(id*0.1e0) FROM images
SELECT AVG(id*0.1e0), AVG(user_id*1e-3) FROM images
SELECT SUM(id*1e0), AVG(id*1e0), MIN(id*1e0), MAX(id*1e0) FROM users
SELECT SUM(id), AVG(id), MIN(id), MAX(id), COUNT(*) FROM users
SELECT BIT_AND(id), BIT_OR(id), BIT_XOR(id) FROM users
SELECT BIT_AND(user_id), BIT_OR(user_id), BIT_XOR(user_id), BIT_XOR(parent_id), BIT_AND(parent_id) FROM images
SELECT BIT_AND(id), BIT_OR(id), BIT_XOR(id), COUNT(*) FROM images WHERE id > 1000
SELECT user_id, BIT_XOR(id), BIT_OR(id), BIT_AND(id) FROM images GROUP BY user_id
SELECT BIT_XOR(id*3), BIT_OR(image_id), BIT_AND(user_id) FROM likes
[ci] SELECT MIN(name), MAX(name) FROM images
[ci] SELECT MIN(name), MAX(name) FROM users
[ci] SELECT MIN(path), MAX(path) FROM images
[ci] SELECT MIN(email), MAX(email) FROM users
[ci] SELECT MIN(DISTINCT name), MAX(DISTINCT name) FROM images
SELECT MIN(dt), MAX(dt) FROM images
SELECT MIN(created_at), MAX(created_at) FROM users
SELECT MIN(dt), MAX(dt), COUNT(*) FROM likes
SELECT MIN(parent_id), MAX(parent_id) FROM images
SELECT MIN(parent_id), MAX(parent_id), SUM(parent_id), AVG(parent_id) FROM images WHERE parent_id IS NULL
SELECT COUNT(*), SUM(id), AVG(id), MIN(name), MAX(dt) FROM images WHERE id > 1000
SELECT COUNT(*), SUM(id), MIN(id) FROM images WHERE 1 = 0
SELECT COUNT(*), MAX(id) FROM images WHERE name = 'no such name'
SELECT MIN(NULL), MAX(NULL), SUM(NULL), COUNT(NULL), AVG(NULL) FROM images
SELECT user_id, COUNT(*), SUM(id), MIN(dt), MAX(dt), AVG(id) FROM images GROUP BY user_id
SELECT parent_id, COUNT(*), AVG(id) FROM images GROUP BY parent_id
SELECT AVG(user_id) FROM images GROUP BY parent_id
[ci] SELECT name, COUNT(*) FROM images GROUP BY name
[ci] SELECT name, COUNT(*), MIN(id), MAX(id) FROM users GROUP BY name
SELECT image_id, COUNT(*), MIN(dt) FROM likes GROUP BY image_id
SELECT user_id, COUNT(*) FROM likes GROUP BY user_id
SELECT COUNT(*), AVG(user_id), SUM(image_id) FROM likes
SELECT SUM(dt), MIN(dt) FROM images
[refuse:AVG of a date or time] SELECT AVG(dt) FROM images
[refuse:AVG of a date or time] SELECT AVG(TIME(dt)), AVG(DATE(dt)), AVG(YEAR(dt)) FROM images
[refuse:AVG of a date or time] SELECT user_id, AVG(dt) FROM images GROUP BY user_id
[refuse:AVG of a date or time] SELECT AVG(created_at) FROM users
SELECT SUM(name), AVG(name), MAX(name + 0) FROM images
SELECT SUM(CAST(id AS SIGNED) - 200), AVG(CAST(id AS SIGNED) - 200) FROM images
SELECT SUM(id), COUNT(*) FROM images WHERE id IN (1, 3, 4, 11)
SELECT AVG(id), COUNT(*) FROM images WHERE id IN (1, 2)
SELECT MAX(CAST(id AS DECIMAL(30,10))), SUM(CAST(id AS DECIMAL(30,10))), AVG(CAST(id AS DECIMAL(30,10))) FROM images
SELECT AVG(CAST(id AS DECIMAL(65,30))), SUM(CAST(user_id AS DECIMAL(65,30))) FROM images
SELECT SUM(CAST(id AS FLOAT)), MIN(CAST(id / 3 AS FLOAT)), MAX(CAST(id / 3 AS FLOAT)) FROM images
SELECT COUNT(*) FROM likes WHERE image_id = 7
SELECT COUNT(*), MIN(user_id) FROM likes WHERE image_id IN (1, 3, 7, 11)
SELECT image_id, COUNT(*) FROM likes WHERE image_id IN (1, 3, 7, 11) GROUP BY image_id
[ordered] SELECT COUNT(*) FROM images GROUP BY user_id ORDER BY COUNT(*) DESC, MIN(id) LIMIT 5
[ordered] SELECT user_id, COUNT(*) AS c FROM images GROUP BY user_id ORDER BY c DESC, user_id LIMIT 7
[ordered] SELECT user_id, AVG(id) FROM images GROUP BY user_id ORDER BY AVG(id) DESC, user_id LIMIT 5
[ordered] SELECT SUM(id) FROM images GROUP BY user_id ORDER BY user_id LIMIT 3 OFFSET 2
[ordered] SELECT user_id, MAX(dt) FROM images GROUP BY user_id ORDER BY MAX(dt) DESC, user_id LIMIT 6
[ordered] SELECT user_id FROM images GROUP BY user_id ORDER BY MIN(name), user_id LIMIT 6
[ordered] SELECT user_id, SUM(id*1e0) AS s FROM images GROUP BY user_id ORDER BY s, user_id LIMIT 6
[ordered] SELECT image_id, COUNT(*) FROM likes GROUP BY image_id ORDER BY COUNT(*) DESC, image_id LIMIT 10
[ordered] SELECT COUNT(*) FROM images LIMIT 1
[ordered] SELECT COUNT(*) FROM images LIMIT 0
[ordered] SELECT COUNT(*) FROM images LIMIT 1 OFFSET 1
[refuse:ORDER BY an aggregate] SELECT id FROM images ORDER BY COUNT(*)
-- AVG of temporal values: MariaDB rounds an ungrouped AVG differently.
[refuse:AVG of a date or time] SELECT AVG(dt) FROM images WHERE id < 4
[refuse:AVG of a date or time] SELECT AVG(TIME(dt)) FROM images WHERE id < 4
[refuse:AVG of a date or time] SELECT AVG(dt) FROM images WHERE user_id = 4
[refuse:AVG of a date or time] SELECT AVG(dt) FROM likes WHERE image_id IN (2, 3)
[refuse:AVG of a date or time] SELECT AVG(created_at) FROM users WHERE id IN (1, 3, 4)
SELECT user_id, SUM(id * 0.7e0) FROM images GROUP BY user_id
[ordered] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY NULL LIMIT 0
SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY NULL

-- ======================================================================
-- 4. Window functions
-- ======================================================================
[refuse:window function] SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM images
[refuse:window function] SELECT id, RANK() OVER (ORDER BY name) FROM images
[refuse:window function] SELECT id, DENSE_RANK() OVER (ORDER BY user_id) FROM images
[refuse:window function] SELECT id, LAG(id) OVER (ORDER BY id) FROM images
[refuse:window function] SELECT id, LEAD(id, 2) OVER (ORDER BY id) FROM images
[refuse:window function] SELECT id, SUM(id) OVER () FROM images
[refuse:window function] SELECT id, SUM(id) OVER (PARTITION BY user_id) FROM images
[refuse:window function] SELECT id, COUNT(*) OVER () FROM images
[refuse:window function] SELECT id, AVG(id) OVER (PARTITION BY user_id ORDER BY id) FROM images
[refuse:window function] SELECT id, NTILE(4) OVER (ORDER BY id) FROM images
[refuse:window function] SELECT id, FIRST_VALUE(name) OVER (ORDER BY id) FROM images
[refuse:window function] SELECT id, NTH_VALUE(id, 2) OVER (ORDER BY id) FROM images
[refuse:window function] SELECT id, PERCENT_RANK() OVER (ORDER BY id) FROM images
[refuse:window function] SELECT id, CUME_DIST() OVER (ORDER BY id) FROM images
[refuse:window function] SELECT id, MAX(dt) OVER (PARTITION BY user_id) FROM images
[refuse:window function] SELECT id FROM images ORDER BY ROW_NUMBER() OVER (ORDER BY id DESC) LIMIT 3
[refuse:window function] SELECT id, RANK() OVER w FROM images WINDOW w AS (ORDER BY id)
[refuse:window function] SELECT image_id, ROW_NUMBER() OVER (PARTITION BY image_id ORDER BY id) FROM likes
[refuse:window function] SELECT id, SUM(id) OVER () FROM users WHERE id IN (1, 2, 9223372036854775808)
[refuse:window function] SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM images WHERE id IN (3, 7)
-- Pinned to one shard: must run and match.
SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM images WHERE id IN (4, 6, 7, 8, 12)
SELECT l.id, RANK() OVER (ORDER BY l.dt) FROM likes l WHERE l.image_id = 7
SELECT id, LAG(id) OVER (ORDER BY id), SUM(id) OVER () FROM images WHERE id IN (3, 5, 9, 10)
SELECT id, SUM(id) OVER () FROM users WHERE id IN (7, 9223372036854775807, 9223372036854775813)
SELECT id, SUM(id) OVER w FROM images WHERE id IN (7, 8) WINDOW w AS (ORDER BY id)

-- ======================================================================
-- 5. Strings under the collation (utf8mb4_unicode_520_ci)
-- ======================================================================
[ordered] SELECT id, name FROM images ORDER BY name, id
[ordered] SELECT id, name FROM images ORDER BY name DESC, id
[ordered] SELECT id, name FROM images ORDER BY name DESC, id DESC LIMIT 20
[ordered] SELECT id, name FROM images ORDER BY name, id LIMIT 15 OFFSET 100
[ordered] SELECT id, name FROM users ORDER BY name, id
[ordered] SELECT id, name FROM users ORDER BY name DESC, id LIMIT 30
[ordered] SELECT id, name FROM images WHERE name IN ('a-b', 'a_b', 'a b', 'ab', 'a.b', 'a,b') ORDER BY name, id
[ordered] SELECT id, name FROM images WHERE name LIKE 'x%' ORDER BY name, id
[ordered] SELECT id, name FROM images WHERE name LIKE 'x%' ORDER BY name DESC, id
[ordered] SELECT id, name FROM images WHERE name LIKE 'bob%' ORDER BY name, id
[ordered] SELECT id, name FROM users WHERE name LIKE '%mile' ORDER BY name, id
[ordered] SELECT id, name FROM users WHERE name IN ('Zoë', 'zoe', 'ZOE', 'Zoe', 'Zürich', 'zurich', 'Zurich') ORDER BY name, id
[ordered] SELECT id, name FROM images WHERE name IN ('', ' lead', '  lead', 'lead') ORDER BY name, id
[ordered] SELECT id, name FROM images WHERE name IN ('0', '00', '1', '10', '9', '-1', '1e2') ORDER BY name, id
[ordered] SELECT id, name FROM images WHERE name IN ('日本', 'にほん', 'Ελλάδα', 'ελλάδα', 'Ørjan', 'orjan', 'Ærø', 'aero') ORDER BY name DESC, id
[ordered] SELECT id, name FROM images WHERE name IN ('straße', 'strasse', 'ß', 'Ångström', 'angstrom') ORDER BY name, id
[ordered] SELECT id, name FROM images ORDER BY BINARY name, id
[ordered] SELECT id, name FROM images ORDER BY name COLLATE utf8mb4_bin, id
[ordered] SELECT id, name FROM users ORDER BY name COLLATE utf8mb4_bin DESC, id
[ordered] SELECT id, name FROM images ORDER BY name COLLATE utf8mb4_general_ci, id
[ordered] SELECT id, name FROM images ORDER BY name COLLATE utf8mb4_unicode_ci DESC, id LIMIT 40
[ordered] SELECT id, name FROM images WHERE name LIKE 'bob%' ORDER BY name COLLATE utf8mb4_nopad_bin, id
[ordered] SELECT id, name FROM users ORDER BY name COLLATE utf8mb4_unicode_520_nopad_ci, id
[ordered] SELECT id FROM images ORDER BY name COLLATE utf8mb4_nopad_bin DESC, id LIMIT 60
[ordered] SELECT id, name FROM images ORDER BY LOWER(name), id
[ordered] SELECT id, name FROM images ORDER BY UPPER(name) DESC, id LIMIT 40
[ordered] SELECT id, CONCAT(name, '-', id) AS c FROM images ORDER BY c, id LIMIT 50
[ordered] SELECT id FROM images ORDER BY CONCAT(name, path), id LIMIT 25
[ordered] SELECT id, name FROM images ORDER BY TRIM(name), id
[ordered] SELECT id, name FROM images ORDER BY REVERSE(name), id LIMIT 30
[ordered] SELECT id, name FROM images ORDER BY SUBSTRING(name, 2), id LIMIT 30
[ordered] SELECT id, name FROM images ORDER BY LENGTH(name), name, id LIMIT 60
[ordered] SELECT id, name FROM images ORDER BY CHAR_LENGTH(name) DESC, name DESC, id LIMIT 60
[ordered] SELECT id, path FROM images ORDER BY path, id LIMIT 50
[ordered] SELECT id, path FROM images ORDER BY path DESC, id LIMIT 50
[ordered] SELECT id, email FROM users ORDER BY email, id
[ordered] SELECT id, HEX(name) AS h FROM images ORDER BY h, id LIMIT 30
[ordered] SELECT id, CAST(name AS CHAR(2)) AS c FROM images ORDER BY c, id LIMIT 40
[ordered] SELECT id, CONVERT(name USING latin1) AS c FROM images ORDER BY c, id LIMIT 40
[ordered] SELECT id, NULLIF(name, 'alice') AS n FROM images ORDER BY n, id LIMIT 20
[ordered] SELECT id, NULLIF(name, 'zzz') AS n FROM images ORDER BY n DESC, id LIMIT 20
[ordered] SELECT id FROM images WHERE id <= 40 ORDER BY IF(id % 2 = 0, 'x\t', 'x'), id
[ordered] SELECT id, name FROM images WHERE id <= 60 ORDER BY CONCAT(name, IF(id % 3 = 0, '\t', '')), id
SELECT MAX(IF(id = 7, 'x', 'x\t')) FROM images
SELECT MIN(IF(id = 7, 'x\t', 'x')) FROM images
[ci] SELECT DISTINCT name FROM images
[ci] SELECT DISTINCT name FROM users
[ordered][ci] SELECT DISTINCT name FROM images ORDER BY name
[ordered][ci] SELECT DISTINCT name FROM images ORDER BY name DESC LIMIT 10
[ordered][ci] SELECT DISTINCT name FROM users ORDER BY name LIMIT 20 OFFSET 5
SELECT DISTINCT BINARY name AS b FROM images
[ci] SELECT DISTINCT LOWER(name) AS l FROM images
[ci] SELECT DISTINCT name COLLATE utf8mb4_bin AS n FROM images
SELECT DISTINCT name COLLATE utf8mb4_nopad_bin AS n FROM images WHERE name LIKE 'bob%'
[ci] SELECT DISTINCT name COLLATE utf8mb4_unicode_520_nopad_ci AS n FROM users
[ci] SELECT name COLLATE utf8mb4_unicode_520_nopad_ci AS n, COUNT(*) FROM images GROUP BY name COLLATE utf8mb4_unicode_520_nopad_ci
SELECT name COLLATE utf8mb4_nopad_bin AS n, COUNT(*) FROM images GROUP BY 1
[ordered][ci] SELECT name, COUNT(*) FROM images GROUP BY name ORDER BY name
[ordered][ci] SELECT name, COUNT(*) FROM images GROUP BY name ORDER BY COUNT(*) DESC, name LIMIT 10
[ordered][ci] SELECT name, COUNT(*) FROM users GROUP BY name ORDER BY name DESC
SELECT BINARY name AS b, COUNT(*) FROM images GROUP BY 1
[ci] SELECT LOWER(name), COUNT(*) FROM images GROUP BY LOWER(name)
[ci] SELECT MIN(name), MAX(name) FROM images WHERE name LIKE 'a%'
[ci] SELECT MIN(name), MAX(name) FROM images WHERE name LIKE 'z%'
[ci] SELECT MIN(name), MAX(name), COUNT(*) FROM users WHERE name LIKE '%lice%'
SELECT MAX(name COLLATE utf8mb4_nopad_bin) FROM images WHERE name LIKE 'bob%' AND id <> 400 AND id <> 388
SELECT MIN(name COLLATE utf8mb4_nopad_bin), MAX(name COLLATE utf8mb4_nopad_bin) FROM users
SELECT MIN(BINARY name) AS a, MAX(BINARY name) AS b FROM images
[ci] SELECT MIN(LOWER(name)), MAX(UPPER(name)) FROM users
[ci] SELECT user_id, MIN(name), MAX(name) FROM images GROUP BY user_id
SELECT COUNT(*) FROM images WHERE name LIKE 'a_b'
SELECT COUNT(*) FROM images WHERE name LIKE 'a\_b'
SELECT COUNT(*) FROM images WHERE name LIKE '%\%%'
SELECT COUNT(*) FROM images WHERE name LIKE '%\_%'
SELECT COUNT(*) FROM images WHERE name LIKE 'x3%'
SELECT COUNT(*) FROM images WHERE name LIKE 'a|_b' ESCAPE '|'
SELECT COUNT(*) FROM images WHERE name = 'bob'
SELECT COUNT(*) FROM images WHERE name = 'BOB   '
SELECT COUNT(*) FROM images WHERE name = 'bob' COLLATE utf8mb4_nopad_bin
SELECT COUNT(*) FROM images WHERE BINARY name = 'bob'
SELECT COUNT(*) FROM images WHERE name = 'emile'
SELECT COUNT(*) FROM images WHERE name = 'strasse'
SELECT COUNT(*) FROM images WHERE name = 'back\\slash'
SELECT COUNT(*) FROM images WHERE name LIKE 'back\\\\slash'
SELECT COUNT(*) FROM images WHERE name = 'O\'Brien'
SELECT COUNT(*) FROM images WHERE name = "o'brien"
SELECT COUNT(*) FROM images WHERE name = 'a' 'b'
SELECT COUNT(*) FROM images WHERE name = _binary'alice'
SELECT COUNT(*) FROM images WHERE name = X'616C696365'
SELECT COUNT(*) FROM images WHERE name = N'Zoë'
SELECT COUNT(*) FROM images WHERE name = _utf8mb4'alice' COLLATE utf8mb4_bin
SELECT COUNT(*) FROM images WHERE name REGEXP '^[a-c]'
SELECT COUNT(*) FROM images WHERE name RLIKE 'x[0-9]+@'
[either] SELECT COUNT(*) FROM images WHERE name SOUNDS LIKE 'alis'

-- ======================================================================
-- 6. ORDER BY aliases, positions, expressions, qualified stars
-- ======================================================================
[ordered] SELECT *, id AS x FROM images ORDER BY x LIMIT 5
[ordered] SELECT *, id AS x FROM images ORDER BY x DESC LIMIT 5 OFFSET 3
[ordered] SELECT i.* FROM images i ORDER BY i.id LIMIT 3
[ordered] SELECT i.* FROM images i ORDER BY i.name, i.id LIMIT 7
[ordered] SELECT images.* FROM images ORDER BY images.dt, images.id LIMIT 9
[ordered] SELECT * FROM images ORDER BY dt DESC, id LIMIT 12
[ordered] SELECT * FROM users ORDER BY name, id
[ordered] SELECT * FROM likes ORDER BY dt, id LIMIT 20
[ordered] SELECT l.*, l.image_id * 2 AS d FROM likes l ORDER BY d DESC, l.id LIMIT 10
[ordered] SELECT id, name FROM images ORDER BY 2, 1 LIMIT 20
[ordered] SELECT name, id FROM images ORDER BY 1 DESC, 2 LIMIT 20
[ordered] SELECT user_id, id FROM images ORDER BY 1, 2 DESC LIMIT 20
[ordered] SELECT name, user_id, id FROM images ORDER BY 2 DESC, 1, 3 LIMIT 20
[either][ordered] SELECT * FROM images ORDER BY 1 LIMIT 5
[either][ordered] SELECT * FROM images ORDER BY 4, 1 LIMIT 5
[either][ordered] SELECT name, images.* FROM images ORDER BY 1, id LIMIT 5
[either] SELECT *, images.* FROM images WHERE id < 4
[ordered] SELECT id FROM images ORDER BY dt, id LIMIT 10
[ordered] SELECT id FROM images ORDER BY user_id DESC, dt, id LIMIT 10
[ordered] SELECT name FROM images ORDER BY id DESC LIMIT 10
[ordered] SELECT id AS user_id, user_id AS id FROM images ORDER BY id, user_id LIMIT 10
[ordered] SELECT id, user_id AS uid FROM images ORDER BY uid DESC, id LIMIT 10
[ordered] SELECT id, name AS path, path AS name FROM images ORDER BY name, id LIMIT 10
[ordered] SELECT id, id % 7 AS m FROM images ORDER BY m, id DESC LIMIT 10
[ordered] SELECT id FROM images ORDER BY id % 7, id LIMIT 10
[ordered] SELECT id AS x FROM images ORDER BY -x LIMIT 3
[ordered] SELECT id AS x FROM images ORDER BY x + 0 DESC LIMIT 3
[ordered] SELECT name AS n, id FROM images ORDER BY n COLLATE utf8mb4_bin, id LIMIT 10
[ordered] SELECT id, dt FROM images ORDER BY DATE(dt), TIME(dt) DESC, id LIMIT 15
[ordered] SELECT id FROM images ORDER BY parent_id, id LIMIT 30
[ordered] SELECT id, parent_id FROM images ORDER BY parent_id DESC, id LIMIT 30
[ordered] SELECT id, parent_id FROM images ORDER BY parent_id IS NULL, parent_id, id LIMIT 30
[ordered] SELECT id, parent_id FROM images ORDER BY COALESCE(parent_id, id), id LIMIT 30
[ordered] SELECT id FROM images ORDER BY images.id LIMIT 3 OFFSET 397
[ordered] SELECT ID FROM images ORDER BY id LIMIT 3
[ordered] SELECT `id`, `name` FROM `images` ORDER BY `name`, `id` LIMIT 5
[ordered] SELECT id, dt FROM images ORDER BY dt, id LIMIT 30
[ordered] SELECT id, dt FROM images ORDER BY dt DESC, id DESC LIMIT 30
[ordered] SELECT user_id % 5 AS m, COUNT(*) FROM images GROUP BY user_id % 5 ORDER BY m
SELECT user_id % 5 AS m, COUNT(*) FROM images GROUP BY m
SELECT HOUR(dt) AS h, COUNT(*) FROM images GROUP BY h
[ordered] SELECT user_id, COUNT(*) FROM images GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5
[ordered] SELECT COUNT(*) FROM images GROUP BY user_id ORDER BY user_id LIMIT 5
[refuse:SELECT DISTINCT ordered by] SELECT DISTINCT user_id FROM images ORDER BY id LIMIT 5
[ordered] SELECT DISTINCT user_id FROM images ORDER BY user_id DESC LIMIT 5
[ordered] SELECT DISTINCT user_id % 5 AS m FROM images ORDER BY m
[ordered] SELECT id FROM images ORDER BY id LIMIT 3 FOR UPDATE
[ordered] SELECT id FROM images ORDER BY id DESC LIMIT 3 LOCK IN SHARE MODE
[ordered] SELECT SQL_NO_CACHE id FROM images ORDER BY id LIMIT 3
[ordered] SELECT HIGH_PRIORITY STRAIGHT_JOIN id FROM images ORDER BY id DESC LIMIT 2
[refuse:SQL_CALC_FOUND_ROWS] SELECT SQL_CALC_FOUND_ROWS id FROM images ORDER BY id LIMIT 3

-- ======================================================================
-- 7. Metadata: types, decimals, value bytes
-- ======================================================================
[ordered] SELECT id, CAST(dt AS DATETIME) FROM images ORDER BY id LIMIT 10
[ordered] SELECT id, CAST(dt AS DATETIME) AS c FROM images ORDER BY id LIMIT 10
[ordered] SELECT id, CAST(dt AS DATETIME(3)) AS c FROM images ORDER BY c, id LIMIT 20
[ordered] SELECT id, DATE(dt) AS d, TIME(dt) AS t FROM images ORDER BY d, t, id LIMIT 20
[ordered] SELECT id, id/7 AS q, id*1.5 AS m, id*1e0 AS f, ROUND(id/3, 2) AS r FROM images ORDER BY id LIMIT 10
[ordered] SELECT id, id/7, id*1.5, id*1e0, ROUND(id/3, 2) FROM images ORDER BY id LIMIT 10
SELECT id, id/7, id*1.5, id*1e0, ROUND(id/3, 2) FROM images WHERE id = 7
[ordered] SELECT id/7 AS q FROM images ORDER BY q DESC LIMIT 5
[ordered] SELECT id*1e0 AS f, id FROM images ORDER BY f DESC LIMIT 5
SELECT MIN(id/7), MAX(id/7) FROM images
SELECT MIN(id*1.5), MAX(id*1.5), SUM(id*1.5), AVG(id*1.5) FROM images
SELECT MIN(id*1e0), MAX(id*1e0), SUM(id*1e0), AVG(id*1e0) FROM images
SELECT MIN(ROUND(id/3, 2)), MAX(ROUND(id/3, 2)) FROM images
SELECT MIN(CAST(dt AS DATETIME)), MAX(CAST(dt AS DATETIME(3))) FROM images
SELECT MIN(DATE(dt)), MAX(TIME(dt)), MIN(TIME(dt)) FROM images
SELECT user_id, MIN(CAST(dt AS DATETIME(2))) FROM images GROUP BY user_id
SELECT MAX(CAST(dt AS DATE)), MIN(CAST(dt AS TIME(1))) FROM images
SELECT id, DATE('0001-01-01') AS d FROM images WHERE id = 3
SELECT id, CAST('0001-01-01 00:00:00' AS DATETIME) AS d FROM images WHERE id = 3
SELECT id, CAST('2025-00-00' AS DATE) AS d FROM images WHERE id = 3
SELECT id, CAST('0000-00-00' AS DATE) AS d FROM images WHERE id = 3
SELECT id, id*1e15 AS a, id*1e-7 AS b, id*1e16 AS c, id/3e0 AS d, id*1.5e-15 AS e FROM images WHERE id IN (1, 3, 7)
SELECT id, id*1e20 AS a, id*3e-16 AS b, id*123456789.123e0 AS c FROM images WHERE id IN (1, 3, 7)
SELECT id, CAST(id/3 AS FLOAT) AS f, CAST(id*1000000 AS FLOAT) AS g, CAST(id AS DOUBLE) AS h FROM images WHERE id IN (1, 2, 3)
SELECT id, CAST(id/3 AS FLOAT) AS f FROM images WHERE id = 7
[ordered] SELECT id, CAST(id/3 AS FLOAT) AS f FROM images ORDER BY f DESC, id LIMIT 5
SELECT id, CONCAT(name, '!') AS c FROM images WHERE id = 3
SELECT 'lit' AS l, id FROM images WHERE id = 3
[ordered] SELECT id, CONCAT(name, '!') AS c FROM images ORDER BY id LIMIT 3
[ordered] SELECT id+1 FROM images ORDER BY id LIMIT 3
SELECT id+1 FROM images WHERE id = 5
SELECT COUNT(*) FROM images WHERE id < 5
SELECT count(*), Sum(id), mIN(dt) FROM images
[ordered] SELECT id - 1 AS x, -id AS y FROM images ORDER BY id LIMIT 3
SELECT MAX(id) FROM images
[ordered] SELECT id, parent_id, IFNULL(parent_id, 0) AS p FROM images ORDER BY id LIMIT 30
[ordered] SELECT id, dt + INTERVAL 1 DAY AS d, INTERVAL 90 MINUTE + dt AS e FROM images ORDER BY id LIMIT 5
[ordered] SELECT id, UNIX_TIMESTAMP(dt) AS u FROM images ORDER BY u, id LIMIT 5
[ordered] SELECT id, TIMEDIFF(dt, '2025-03-02 12:00:00') AS td FROM images ORDER BY td, id LIMIT 20
[ordered] SELECT id, TIMEDIFF(dt, '2025-03-02 12:00:00') AS td FROM images ORDER BY td DESC, id LIMIT 20
SELECT MIN(TIMEDIFF(dt, '2025-03-02 12:00:00')), MAX(TIMEDIFF(dt, '2025-03-02 12:00:00')) FROM images
[ordered] SELECT id, YEAR(dt), MONTH(dt), MICROSECOND(dt) FROM images ORDER BY id LIMIT 5
[ordered] SELECT dt, COUNT(*) FROM images GROUP BY dt ORDER BY COUNT(*) DESC, dt LIMIT 5
SELECT DATE(dt) AS d, COUNT(*) FROM images GROUP BY DATE(dt)
[ordered] SELECT HOUR(dt), COUNT(*) FROM images GROUP BY HOUR(dt) ORDER BY 1
[ordered] SELECT TIME(dt), COUNT(*) FROM images GROUP BY 1 ORDER BY 1 LIMIT 10
-- The server flags hex and bit literals UNSIGNED; the proxy cannot see column flags beyond NOT NULL (see harness_test.go), so this compares through the router only.
[ordered] [noproxy] SELECT id, 1.50 AS d, 0x41 AS h, b'101' AS b, TRUE AS t, NULL AS n FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, CAST(id AS CHAR) AS c FROM images ORDER BY c, id LIMIT 10
[ordered] SELECT id, CAST(dt AS CHAR) AS c FROM images ORDER BY c DESC, id LIMIT 10
[ordered] SELECT id, CAST(dt AS TIME) AS t, CONVERT(dt, DATE) AS d FROM images ORDER BY id LIMIT 5
[ordered] SELECT id, DATE_FORMAT(dt, '%Y-%m-%d %H:%i:%s.%f') AS f FROM images ORDER BY f, id LIMIT 10
[ordered] SELECT id, CAST(id AS DECIMAL(30,10)) AS d FROM images ORDER BY id LIMIT 3
[ordered] SELECT id, CAST(id AS SIGNED) AS s FROM users ORDER BY s, id
[ordered] SELECT id, id*1e0 AS f FROM users ORDER BY f, id
[ordered] SELECT id, CAST(id AS SIGNED) FROM users ORDER BY 2 DESC, 1 LIMIT 8
SELECT id, TIMESTAMP(dt) AS t, FROM_UNIXTIME(1740830400) AS f FROM images WHERE id = 3
SELECT id, CAST(dt AS DATETIME(6)) = dt AS same FROM images WHERE id IN (1, 3, 7)
-- Column names: the server names a computed column by the text as written.
[ordered] SELECT id, id+1 /* one */ FROM images ORDER BY id LIMIT 3
[ordered] SELECT /* lead */ id+1 FROM images ORDER BY id+1 LIMIT 3
[ordered] SELECT id, - 1 FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, DATE '2025-03-01' FROM images ORDER BY id LIMIT 2
-- The server flags hex and bit literals UNSIGNED; the proxy cannot see column flags beyond NOT NULL (see harness_test.go), so this compares through the router only.
[ordered] [noproxy] SELECT id, b'11' FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, N'x' FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, _utf8mb4'x' FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, 'a' 'b' FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, id  +  2 FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, TRUE, NULL, 1E0, .5, 0001 FROM images ORDER BY id LIMIT 2
[ordered] SELECT id+0 FROM images ORDER BY `id+0` DESC LIMIT 3
[ordered] SELECT id, CONCAT('`', name, '`') FROM images ORDER BY id LIMIT 3
SELECT Count(*), SUM( id ) , max(dt) FROM images
[ordered] SELECT name AS n FROM images ORDER BY n DESC, id LIMIT 5
[ordered] SELECT user_id AS id, id AS iid FROM images ORDER BY id + 0, iid LIMIT 4
[ordered] SELECT user_id AS id, id AS iid FROM images ORDER BY id, iid LIMIT 4
[ordered] SELECT user_id AS name, name AS n2, id FROM images ORDER BY CONCAT(name, ''), id LIMIT 4
[ordered] SELECT id, CAST(dt AS DATETIME) AS c FROM images WHERE CAST(dt AS DATETIME) = '2025-03-01 16:00:00' ORDER BY CAST(dt AS DATETIME(6)) DESC, id
[ordered] SELECT id, CAST(id/10 AS DECIMAL(10,0)) AS c FROM images WHERE id BETWEEN 30 AND 45 ORDER BY CAST(id/10 AS DECIMAL(10,2)) DESC, id
[ordered] SELECT id, CAST(name AS CHAR(1)) AS c FROM images WHERE id <= 12 ORDER BY CAST(name AS CHAR(3)) DESC, id
[either][ordered] SELECT DISTINCT user_id % 5 AS m FROM images ORDER BY -m
-- Literal comparisons use the connection's collation on both sides.
SELECT COUNT(*) FROM images WHERE 'ß' = 's'
[ordered] SELECT id, 'ß' = 's' AS x, 'a' = 'A ' AS y FROM images ORDER BY id LIMIT 2
SELECT id, 'ß' = 's' AS x FROM images WHERE id = 3
[ordered] SELECT id, @@collation_connection AS c FROM images ORDER BY id LIMIT 1
-- More value bytes and column flags through the proxy.
-- The server flags hex and bit literals UNSIGNED; the proxy cannot see column flags beyond NOT NULL (see harness_test.go), so this compares through the router only.
[noproxy] SELECT id, b'101' AS b FROM images WHERE id = 3
-- The server flags hex and bit literals UNSIGNED; the proxy cannot see column flags beyond NOT NULL (see harness_test.go), so this compares through the router only.
[noproxy] SELECT id, X'41' AS x FROM images WHERE id = 3
SELECT id, CAST(id AS DECIMAL(65,35)) AS d FROM images WHERE id = 3
SELECT id, id*-0e0 AS z FROM images WHERE id = 3
SELECT id, ST_AsText(POINT(id, 1)) AS p FROM images WHERE id = 3
SELECT id, POINT(id, 1) AS p FROM images WHERE id = 3
SELECT id, JSON_OBJECT('n', name) AS j FROM images WHERE id = 3
SELECT id, CAST(name AS BINARY) AS b FROM images WHERE id = 3
SELECT id, REPEAT(name, 3000) AS r FROM images WHERE id = 3
SELECT id, SEC_TO_TIME(id * 10000) AS t, CAST(dt AS TIME(6)) AS u FROM images WHERE id IN (3, 397)
[ordered] SELECT id, SEC_TO_TIME(id * 10000) AS t FROM images ORDER BY t DESC, id LIMIT 5
SELECT MIN(SEC_TO_TIME(id * 10000)), MAX(SEC_TO_TIME(id * 10000)) FROM images

-- ======================================================================
-- 8. Shard-key literals, offsets, NULLs, huge ids, IN lists, empty results
-- ======================================================================
SELECT id, name FROM images WHERE id = '5abc'
SELECT id, name FROM images WHERE id = ' 7'
SELECT id FROM images WHERE id IN ('3x', 4)
SELECT id FROM images WHERE id = '7.0'
SELECT id FROM images WHERE id = '1e1'
SELECT id FROM images WHERE id = '0x7'
SELECT id FROM images WHERE id = '7 '
SELECT id FROM images WHERE id = '  7abc'
SELECT id FROM images WHERE id = '007'
SELECT id FROM images WHERE id = ''
SELECT id FROM images WHERE id = 'abc'
SELECT id FROM images WHERE id = '-0'
SELECT id FROM images WHERE id = '+7'
SELECT id FROM users WHERE id = '+5'
SELECT id FROM users WHERE id IN ('+5', '+7')
SELECT id FROM images WHERE id = '7'
SELECT id FROM images WHERE id = '.7e1'
SELECT id FROM images WHERE id = '\n7'
SELECT id FROM images WHERE id = '7'
SELECT id FROM images WHERE id = '7'
SELECT id FROM images WHERE id = 7.0
SELECT id FROM images WHERE id = 7e0
SELECT id FROM images WHERE id = 0x7
SELECT id FROM images WHERE id = TRUE
SELECT id FROM images WHERE id = 07
SELECT id FROM images WHERE 7 = id
SELECT id FROM images WHERE id = (7)
SELECT id FROM images WHERE id IN (7)
SELECT id FROM images WHERE id = 5 AND id = 6
SELECT id FROM images WHERE id IN (5, 6) AND id = 6
SELECT id FROM images WHERE id = 7 OR id = 3
SELECT id FROM images WHERE id <=> 7
SELECT id FROM images WHERE id BETWEEN 5 AND 9
SELECT id FROM images WHERE id = 7 AND user_id > 0
SELECT id FROM images WHERE id = 7 = 1
SELECT id FROM images WHERE - -id = 7
SELECT id FROM images WHERE id IN (7, NULL)
SELECT id FROM images WHERE id = NULL
SELECT id FROM images WHERE id IN (1, '2', 3.0, 4)
SELECT id FROM users WHERE id = 9223372036854775807
SELECT id FROM users WHERE id = 9223372036854775808
SELECT id FROM users WHERE id = '9223372036854775808'
SELECT id FROM users WHERE id = 18446744073709551615
SELECT id FROM users WHERE id = '18446744073709551615'
SELECT id FROM users WHERE id = 18446744073709551616
SELECT id FROM users WHERE id = '18446744073709551616'
SELECT id FROM users WHERE id = -1
SELECT id FROM users WHERE id = '-1'
SELECT id FROM users WHERE id = 4294967296
SELECT id FROM users WHERE id = '4294967296.0'
SELECT id FROM users WHERE id IN (9223372036854775807, 1)
SELECT id FROM users WHERE id IN (9223372036854775808, 9223372036854775813, 5)
SELECT id FROM users WHERE id IN ('9223372036854775807', '9223372036854775813', 2)
SELECT id FROM users WHERE id IN (18446744073709551615, 9223372036854775808, 4294967296)
SELECT COUNT(*) FROM users WHERE id IN (18446744073709551615, 9223372036854775808)
[ordered] SELECT id, name FROM users WHERE id > 4294967295 ORDER BY id
[ordered] SELECT id FROM users WHERE id >= 9223372036854775807 ORDER BY id DESC
SELECT MAX(id), MIN(id), SUM(id) FROM users WHERE id > 90
[ordered] SELECT id FROM users ORDER BY id DESC LIMIT 3
[ordered] SELECT id FROM users ORDER BY id LIMIT 3 OFFSET 90
[ordered] SELECT id, name FROM images WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) ORDER BY id
[ordered] SELECT id FROM images WHERE id IN (12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1) ORDER BY id DESC LIMIT 5
[ordered] SELECT id FROM images WHERE id IN (1, 3, 4, 11) ORDER BY name, id LIMIT 2 OFFSET 1
[ordered] SELECT id, user_id FROM images ORDER BY user_id, id LIMIT 490, 18446744073709551615
[ordered] SELECT id FROM images ORDER BY id LIMIT 395, 18446744073709551615
[ordered] SELECT id FROM images ORDER BY id LIMIT 0
[ordered] SELECT id FROM images ORDER BY id DESC LIMIT 18446744073709551615 OFFSET 398
[ordered] SELECT id FROM images ORDER BY id LIMIT 5 OFFSET 400
[ordered] SELECT id FROM images ORDER BY id LIMIT 18446744073709551615, 1
[ordered] SELECT id FROM images ORDER BY id LIMIT 1 OFFSET 18446744073709551615
[ordered] SELECT id FROM images ORDER BY id LIMIT 18446744073709551615 OFFSET 18446744073709551615
[ordered] SELECT id, name FROM images ORDER BY name, id LIMIT 3 OFFSET 397
[ordered] SELECT DISTINCT user_id FROM images ORDER BY user_id LIMIT 5 OFFSET 18446744073709551615
[ordered] SELECT user_id, COUNT(*) FROM images GROUP BY user_id ORDER BY user_id LIMIT 18446744073709551615 OFFSET 80
SELECT COUNT(*) FROM images WHERE parent_id IS NULL
SELECT COUNT(*) FROM images WHERE parent_id <=> NULL
SELECT COUNT(*) FROM images WHERE parent_id = NULL
SELECT COUNT(*) FROM images WHERE parent_id IS NOT NULL
SELECT COUNT(*) FROM images WHERE parent_id IN (1, NULL)
SELECT COUNT(*) FROM images WHERE parent_id NOT IN (1, NULL)
SELECT COUNT(*) FROM images WHERE !parent_id = 1
SELECT COUNT(*) FROM images WHERE NOT parent_id = 1
[ordered] SELECT id FROM images WHERE parent_id <=> 3 ORDER BY id
[ordered] SELECT parent_id, COUNT(*) FROM images GROUP BY parent_id ORDER BY parent_id
[ordered] SELECT DISTINCT parent_id FROM images ORDER BY parent_id DESC
SELECT DISTINCT user_id, parent_id FROM images
SELECT DISTINCT user_id % 3, parent_id IS NULL FROM images
SELECT DISTINCT DATE(dt), HOUR(dt) FROM images
[ci] SELECT DISTINCT name, path FROM images
[ordered] SELECT DISTINCT user_id, parent_id FROM images ORDER BY user_id, parent_id LIMIT 20
[ordered] SELECT DISTINCT user_id, parent_id FROM images ORDER BY parent_id DESC, user_id DESC LIMIT 20 OFFSET 10
SELECT user_id % 4, COUNT(*) FROM images GROUP BY user_id % 4
SELECT COUNT(*) FROM images GROUP BY user_id % 4
SELECT user_id % 4, COUNT(*) FROM images GROUP BY 1
SELECT parent_id IS NULL, COUNT(*), SUM(id) FROM images GROUP BY parent_id IS NULL
SELECT user_id, parent_id, COUNT(*) FROM images GROUP BY user_id, parent_id
SELECT COUNT(*) FROM images GROUP BY NULL
SELECT COUNT(*), MAX(id) FROM images GROUP BY 'x'
SELECT name + 0 AS v, COUNT(*) FROM images GROUP BY name + 0
SELECT id * 0e0 AS z, COUNT(*) FROM images GROUP BY id * 0e0
[either][ordered][ci] SELECT name, COUNT(*) FROM images GROUP BY name DESC
SELECT COUNT(*) FROM images WHERE id = 7
SELECT COUNT(*) FROM images WHERE id < 3
[ci] SELECT COUNT(*), MAX(name), MIN(dt) FROM images WHERE id < 3
SELECT MIN(dt), MAX(dt), COUNT(*) FROM images WHERE id IN (4, 6, 7, 8)
SELECT user_id, COUNT(*) FROM images WHERE id < 3 GROUP BY user_id
SELECT COUNT(*) FROM images WHERE user_id = 18446744073709551615
SELECT COUNT(*), SUM(user_id) FROM images WHERE user_id > 4294967295
SELECT * FROM images WHERE id > 400
[ordered] SELECT id FROM images WHERE 1 = 0 ORDER BY id LIMIT 3
SELECT name, COUNT(*) FROM images WHERE id > 400 GROUP BY name
SELECT DISTINCT name FROM images WHERE id > 1000
SELECT COUNT(*) FROM images WHERE dt > '2025-03-02' - INTERVAL 1 HOUR
SELECT COUNT(*) FROM images WHERE dt BETWEEN TIMESTAMP '2025-03-01 15:00:00' AND TIMESTAMP '2025-03-02 00:00:00'
[either] SELECT COUNT(*) FROM images WHERE dt = {ts '2025-03-01 15:00:00'}
SELECT COUNT(*) FROM images WHERE dt = '2025-03-01 15:00:00'
SELECT COUNT(*) FROM images WHERE id DIV 10 = 3
SELECT COUNT(*) FROM images WHERE id MOD 7 = 0 AND id & 1 = 0
SELECT COUNT(*) FROM images WHERE id << 1 > 100 AND ~id > 0
SELECT COUNT(*) FROM images WHERE (user_id, parent_id) IN ((5, 1), (95, 2))
SELECT COUNT(*) FROM images WHERE CASE WHEN id < 10 THEN 1 ELSE 0 END
SELECT COUNT(*) FROM images WHERE INTERVAL(id, 10, 100) = 1
SELECT COUNT(*) FROM images WHERE id = 7 XOR user_id = 5
SELECT COUNT(*) FROM images WHERE id = 7 OR id = 8 AND user_id = 0
SELECT COUNT(*) FROM images WHERE id IN (7) IS TRUE
SELECT COUNT(*), SUM(id) FROM likes WHERE image_id = 10
SELECT COUNT(*) FROM likes WHERE image_id > 300
[ordered] SELECT id, image_id FROM likes WHERE image_id IN (2, 3, 4) ORDER BY image_id, id
[ordered] SELECT image_id, dt FROM likes ORDER BY dt, image_id, id LIMIT 25
SELECT image_id, MAX(dt), MIN(user_id) FROM likes WHERE image_id < 20 GROUP BY image_id
SELECT id FROM images WHERE id = +7
SELECT id FROM images WHERE id IN (+7, 8)
SELECT id FROM images WHERE id IN ('+3', '7')
SELECT id FROM images WHERE id = 7 FOR UPDATE SKIP LOCKED
[either][ordered] SELECT id FROM images ORDER BY id OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY
[either] SELECT id FROM images ORDER BY user_id FETCH FIRST 3 ROWS WITH TIES
SELECT t.user_id, COUNT(*) FROM (SELECT * FROM images WHERE id IN (7, 8, 12)) t GROUP BY t.user_id
[ordered] SELECT l.id FROM likes l WHERE l.image_id IN (3, 7) ORDER BY l.id
[ordered] SELECT id FROM likes AS L WHERE L.image_id IN (3, 7, 11, 1) ORDER BY L.id DESC
SELECT id FROM users WHERE id IN (18446744073709551615, -1)
[refuse:scattered table] WITH RECURSIVE r AS (SELECT id, parent_id FROM images WHERE id = 25 UNION ALL SELECT i.id, i.parent_id FROM images i JOIN r ON i.id = r.parent_id) SELECT * FROM r
