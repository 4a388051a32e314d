-- Statements over images' BIT (b64, b8), FLOAT(7,3) (f2), DOUBLE(12,4)
-- (fd) and DOUBLE (dbl) columns, which TestTypedColumns adds.
-- A BIT column's values are its bytes, which sort as its numbers.
[ordered] SELECT id, b64 FROM images WHERE id <= 40 ORDER BY b64, id
[ordered] SELECT id, HEX(b8) FROM images ORDER BY b8 DESC, id LIMIT 12
SELECT DISTINCT b64 FROM images
SELECT b8, COUNT(*) FROM images WHERE id < 100 GROUP BY b8
-- MIN and MAX of a BIT column are sent as decimal digits, whose text
-- does not sort as the numbers ('9223372036854775808' after
-- '18446744073709551615') when they are not as many.
-- (Where the shards' values have as many digits, they answer.)
SELECT MAX(b64) FROM images
[refuse:of a BIT column] SELECT MIN(b64), MAX(b64) FROM images WHERE id > 3
SELECT MAX(b64) FROM images WHERE id % 5 <> 0 AND id < 40
SELECT MIN(b8), MAX(b8) FROM images
SELECT user_id % 3 AS g, MAX(b64) FROM images GROUP BY 1
-- A BIT(1)'s are one digit each.
SELECT MIN(b1), MAX(b1) FROM images
SELECT user_id % 3 AS g, MAX(b1), MIN(b1) FROM images GROUP BY 1
-- What the refusal offers.
SELECT MAX(b64 + 0), MIN(b8 + 0) FROM images
SELECT BIT_OR(b64), BIT_AND(b8), BIT_XOR(b64) FROM images
-- A FLOAT(M,D)'s sum is a DOUBLE printed with D decimals: each shard
-- would send its sum rounded.
[refuse:SUM of a DOUBLE printed with 3 decimals] SELECT SUM(f2) FROM images
[refuse:AVG of a DOUBLE printed with 3 decimals] SELECT AVG(f2) FROM images
[refuse:AVG of a DOUBLE printed with 3 decimals] SELECT AVG(f2) FROM images WHERE id IN (1, 2, 3, 4, 5, 6)
[refuse:printed with 3 decimals] SELECT user_id % 4 AS g, AVG(f2), SUM(f2) FROM images GROUP BY 1
-- A DOUBLE(M,D) is stored rounded, and holds what it prints.
SELECT SUM(fd), AVG(fd) FROM images
-- What the refusal offers. (ROUND of a FLOAT is a DOUBLE.)
SELECT AVG(CAST(f2 AS DECIMAL(12, 3))) FROM images
SELECT SUM(ROUND(f2, 3)), AVG(ROUND(f2, 3)) FROM images
SELECT MIN(f2), MAX(f2), COUNT(f2) FROM images
-- DOUBLE sums whose partial sums may pass the type's range: a shard
-- sends an infinite sum as 0, and the server's answer hangs on the order
-- it adds the rows in (+1.7e308 twice, then -1.7e308 twice).
[refuse:may pass the type's range] SELECT SUM(dbl) FROM images
[refuse:may pass the type's range] SELECT AVG(dbl) FROM images
[refuse:may pass the type's range] SELECT user_id % 2 AS g, SUM(dbl) FROM images GROUP BY 1
[refuse:may pass the type's range] SELECT SUM(dbl) FROM images WHERE id IN (1, 3, 6, 7)
-- On one shard (ids 1, 2 and 24), the shard answers as the server.
SELECT SUM(dbl), COUNT(*) FROM images WHERE id IN (1, 2, 24)
SELECT SUM(dbl) FROM images WHERE id NOT IN (1, 3, 5, 24)
SELECT MIN(dbl), MAX(dbl) FROM images
