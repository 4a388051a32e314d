-- A sixth corpus, from an independent review of the refusals of DECIMAL
-- sums and of GET_FORMAT's reprinting. Same format as corpus5.sql;
-- TestHandCorpus6 runs it. The wrong answers and errors it found are
-- refused or answer as the server does since; [either] lines are
-- controls.

-- ======================================================================
-- A. WRONG ANSWERS: grouped DECIMAL SUM/AVG whose running total saturates
--    at 65 digits on one shard (or on the server) in another order than
--    the server's. decimalExact looked only at the merged total, which here
--    has at most 65 digits; a grouped sum of 65 digits is refused since. Ids 1, 2 are on shard 0; 3, 5, 9 on shard 1.
-- ======================================================================
-- server 90000…0 (65 digits: -9e64 first, then +9e64 +9e64); router 9999…9 (64 nines)
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT id > 0 AS g, SUM(CAST(IF(id = 1, -9, 9) AS DECIMAL(65,0)) * 10000000000000000000000000000000000000000000000000000000000000000) AS s FROM images WHERE id IN (1, 3, 5) GROUP BY id > 0
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT id > 0 AS g, SUM(CAST(IF(id = 1, -9, 9) AS DECIMAL(65,0)) * 10000000000000000000000000000000000000000000000000000000000000000) AS s FROM images WHERE id IN (1, 3, 5) GROUP BY 1
-- server 30000…0.0000; router 3333…3.0000
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT id > 0 AS g, AVG(CAST(IF(id = 1, -9, 9) AS DECIMAL(65,0)) * 10000000000000000000000000000000000000000000000000000000000000000) AS s FROM images WHERE id IN (1, 3, 5) GROUP BY 1
-- server 65 nines; router 0 (each shard saturated, in opposite signs)
[refuse:grouped SUM or AVG of DECIMAL of 65 digits] SELECT user_id % 1 AS g, SUM(CAST(IF(id IN (1, 2), -9, 9) AS DECIMAL(65,0)) * 10000000000000000000000000000000000000000000000000000000000000000) AS s FROM images WHERE id IN (1, 2, 3, 5, 9) GROUP BY 1

-- ======================================================================
-- B. BREAKAGE: GET_FORMAT(DATE, …) in a scattered GROUP BY / ORDER BY.
--    sortKeyExprs (merge.go) re-parses the printed expression, which makes
--    DATE a column again and prints it `DATE`: error 1064 on every shard.
-- ======================================================================
SELECT GET_FORMAT(DATE, 'EUR') AS f, COUNT(*) FROM images GROUP BY 1
SELECT DATE_FORMAT(dt, GET_FORMAT(DATE, 'ISO')) AS f, COUNT(*) FROM images GROUP BY 1
[ordered] SELECT id, DATE_FORMAT(dt, GET_FORMAT(DATETIME, 'JIS')) AS f FROM images ORDER BY f, id LIMIT 5
[ordered] SELECT id FROM images ORDER BY GET_FORMAT(DATE, 'USA'), id LIMIT 3

-- ======================================================================
-- C. Controls that passed (same answer) or were refused as they should be.
-- ======================================================================
-- GET_FORMAT elsewhere in scatters and pinned reads.
SELECT id, GET_FORMAT(DATE, 'USA') AS f FROM images WHERE id IN (1, 3, 11, 4)
SELECT GET_FORMAT(DATE, 'USA') FROM images WHERE id IN (1, 3, 11, 4)
SELECT id FROM images WHERE id = LENGTH(GET_FORMAT(DATE, 'USA'))
SELECT id FROM images WHERE GET_FORMAT(TIME, 'ISO') = '%H:%i:%s' AND id = 7
SELECT COUNT(*) FROM images WHERE name <> GET_FORMAT(TIMESTAMP, 'INTERNAL')
SELECT GET_FORMAT(DATE, 'USA') AS a, GET_FORMAT(date, 'usa') AS b FROM images WHERE id = 7
-- Quotients carry hidden digits: refused (pre-existing refusal).
[either] SELECT SUM(id / 3) FROM images
[either] SELECT SUM(id / 3) FROM images WHERE id IN (1, 3, 11, 4)
[either] SELECT AVG(id / 7) FROM images WHERE id IN (1, 3, 11, 4)
[either] SELECT user_id % 2 AS g, SUM(id / 3) FROM images GROUP BY 1
[either] SELECT SUM(CAST(id AS DECIMAL(10,2)) / 7) FROM images
[either] SELECT SUM(id * 1.5 / 7) FROM images
[either] SELECT AVG(CAST(id AS DECIMAL(60,38)) / 1) FROM images
-- Products below 38 decimals carry every digit: same answer.
SELECT SUM(id * 0.125) FROM images
SELECT SUM(id * 0.3333333333) FROM images
-- Products at 38 decimals: refused (decimalExact).
[either] SELECT SUM(id * 0.123456789012345678901234567 * 0.1234567890123456789) FROM images WHERE id IN (1, 3)
[either] SELECT SUM(CAST(id AS DECIMAL(40,30)) * CAST(id AS DECIMAL(40,30))) FROM images
-- Over-refusal (minor): each row is CAST to 38 decimals, so the partial
-- sums are exact, but the term holds a '*'.
[either] SELECT AVG(CAST(id * 0.00000000000000000000000000000000000007 AS DECIMAL(60,38))) FROM images
[either] SELECT AVG(CAST(id * 0.00000000000000000000000000000000000001 AS DECIMAL(60,38))) FROM images WHERE id IN (1, 3, 11)
-- Places where the server materializes a sum past 65 digits: all refused
-- by other rules (UNION, DISTINCT, derived table, HAVING, ROLLUP).
[either] SELECT SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) AS s FROM images UNION ALL SELECT 0
[either] SELECT DISTINCT SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) AS s FROM images
[either] SELECT SQL_BUFFER_RESULT SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) AS s FROM images
[either] SELECT s FROM (SELECT SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) AS s FROM images) d
[either] SELECT SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) AS s FROM images HAVING s > 0
[either] SELECT SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) AS s FROM images ORDER BY s
[either] SELECT user_id % 2 AS g, SUM(CAST(id AS DECIMAL(65,0)) * 100000000000000000000000000000000000000000000000000000000000000) AS s FROM images GROUP BY g WITH ROLLUP
[either] SELECT SUM(p) FROM (SELECT id * 0.123456789012345678901234567 * 0.1234567890123456789 AS p FROM images) d
