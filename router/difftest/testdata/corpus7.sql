-- A seventh hand-written differential corpus for the sharding router, by a
-- reviewer who did not write it. Same format and tags as corpus.sql …
-- corpus6.sql (see readCorpus in corpus_test.go); TestHandCorpus7 runs it.
-- Its angles:
--   1.   negative integer literals as shard keys (the parser reads their
--        sign as an operator). The sample keys are BIGINT UNSIGNED, so no
--        row has a negative id, but the hash vindex maps -n to the shard of
--        2^64-n: -1 goes where 18446744073709551615 lives, and
--        -9223372036854775808 where 9223372036854775808 lives. A read must
--        find exactly what one server finds, wherever it is sent;
--   2.   signs the router must not read as a key: two signs, a sign on a
--        string, hex, bit or decimal literal, a sign on an expression;
--   3.   negative literals in IN lists mixed with positive keys (the IN
--        list pruned per shard must keep each item as written);
--   4.   negative literals in joins and aggregates, and the names the
--        server gives signed literals in a scattered select list;
--   5.   operator precedence next to a pinned comparison: a statement the
--        router reprints must keep the server's reading.

-- ======================================================================
-- 1. Negative keys in point reads (unsigned columns: nothing matches, but
--    the hash collides with the big ids of users)
-- ======================================================================
SELECT id, name FROM users WHERE id = -1
SELECT id FROM users WHERE id = 18446744073709551615
SELECT id FROM users WHERE id IN (-1, 18446744073709551615)
SELECT id FROM users WHERE id IN (18446744073709551615, -1)
SELECT id FROM users WHERE id IN (-1, 5)
SELECT id FROM users WHERE id = -1 OR id = 18446744073709551615
SELECT id FROM users WHERE id = -1 OR id = 5
SELECT id FROM users WHERE id = -9223372036854775808
SELECT id FROM users WHERE id IN (-9223372036854775808, 9223372036854775808)
SELECT id FROM users WHERE id = -9223372036854775803
SELECT id FROM users WHERE id IN (-9223372036854775803, 9223372036854775813, 7)
SELECT id FROM users WHERE id = -9223372036854775807
SELECT id FROM users WHERE id IN (-9223372036854775807, 9223372036854775807)
SELECT id FROM users WHERE id = -9223372036854775809
SELECT id FROM users WHERE id IN (-9223372036854775809, 9223372036854775807)
SELECT id FROM users WHERE id = -18446744073709551615
SELECT id FROM users WHERE id = -18446744073709551616
SELECT id FROM users WHERE id = -99999999999999999999999999
SELECT id FROM users WHERE id = - 1
SELECT id FROM users WHERE id = -(1)
SELECT id FROM users WHERE id = - ( 1 )
SELECT id FROM users WHERE id = -0
SELECT id FROM users WHERE id = - 0
SELECT id FROM users WHERE id = -00
SELECT id FROM users WHERE id IN (-0, 1)
SELECT id FROM users WHERE id = -00000000000000000000001
SELECT id FROM users WHERE id = 00000000000000000000018446744073709551615
SELECT id FROM users WHERE id = -4294967296
SELECT id FROM users WHERE id IN (-4294967296, 4294967296)
SELECT id FROM users WHERE -1 = id
SELECT id FROM users WHERE -0 = id
SELECT id FROM users WHERE id <=> -1
SELECT id FROM users WHERE id <=> -0
SELECT id FROM users WHERE id = '-1'
SELECT id FROM users WHERE id = ' -1'
SELECT id FROM users WHERE id = '-0'
SELECT id FROM users WHERE id = -1 AND name IS NOT NULL
SELECT id FROM users WHERE id = -1 LIMIT 1
SELECT COUNT(*) FROM users WHERE id = -1
SELECT COUNT(*), MAX(id) FROM users WHERE id IN (-1, -9223372036854775808, -9223372036854775803)
SELECT id FROM images WHERE id = -5
SELECT id FROM images WHERE id = -0005
SELECT id FROM images WHERE id = 0005

-- ======================================================================
-- 2. Signs that do not make a key of the literal
-- ======================================================================
SELECT id FROM images WHERE id = - -5
SELECT id FROM images WHERE id = -(-5)
SELECT id FROM images WHERE id = - (- 5)
SELECT id FROM images WHERE id = -(- (-(-5)))
SELECT id FROM images WHERE id = -+5
SELECT id FROM images WHERE id = +-5
SELECT id FROM images WHERE id = + -5
SELECT id FROM images WHERE id = - +5
SELECT id FROM images WHERE id = +5
SELECT id FROM images WHERE id = -5 + 10
SELECT id FROM images WHERE id = -5 * -1
SELECT id FROM images WHERE id = 0 - -5
SELECT id FROM images WHERE id = 10 -5
SELECT id FROM images WHERE id = 10-5
SELECT id FROM images WHERE id = 10 - 5
SELECT id FROM images WHERE id IN (10 -5, 6)
SELECT id FROM images WHERE id IN (10-5, -6)
SELECT id FROM images WHERE id = -5 - -10
SELECT id FROM images WHERE id = -5 DIV -1
SELECT id FROM images WHERE id = -10 / -2
SELECT id FROM images WHERE id = -'-5'
SELECT id FROM images WHERE id = -"-5"
SELECT id FROM images WHERE id = '-5'
SELECT id FROM images WHERE id = ' -5'
SELECT id FROM images WHERE id = -5e0
SELECT id FROM images WHERE id = -5.0
SELECT id FROM images WHERE id = - -5.0
SELECT id FROM images WHERE id = - -5e0
SELECT id FROM images WHERE id = -0x5
SELECT id FROM images WHERE id = - -0x5
SELECT id FROM images WHERE id = -X'05'
SELECT id FROM images WHERE id = -b'101'
SELECT id FROM images WHERE id = - -b'101'
SELECT id FROM images WHERE id = -TRUE
SELECT id FROM images WHERE id = - -TRUE
SELECT id FROM images WHERE id = -NULL
SELECT id FROM images WHERE id = ABS(-5)
SELECT id FROM images WHERE id = CAST(-5 AS UNSIGNED)
SELECT id FROM users WHERE id = CAST(-1 AS UNSIGNED)
SELECT id FROM users WHERE id = CAST(-9223372036854775808 AS UNSIGNED)
SELECT id FROM users WHERE id = -1 + 0
SELECT id FROM users WHERE id = ~0
SELECT id FROM users WHERE id = -1 & 18446744073709551615
SELECT id FROM users WHERE id = -1 | 0
SELECT id FROM users WHERE id = -1 ^ 0
SELECT id FROM users WHERE id = - 1 ^ 0
SELECT id FROM users WHERE id = -1 << 0
SELECT id FROM images WHERE id = -5 ^ -1
SELECT id FROM images WHERE id = -6 ^ -1
SELECT id FROM images WHERE id = -(5 ^ 0)
SELECT id FROM images WHERE id = -id + 10
SELECT id FROM images WHERE -id = -5
SELECT id FROM images WHERE - id = - 5

-- ======================================================================
-- 3. Negative literals among positive keys
-- ======================================================================
SELECT id FROM images WHERE id IN (-5, 5)
SELECT id FROM images WHERE id IN (5, -5)
SELECT id FROM images WHERE id IN (-5, 5, - -6, -7, 8)
SELECT id FROM images WHERE id IN (-0, 1, 2)
SELECT id FROM images WHERE id IN (-1, -2, -3)
SELECT id FROM images WHERE id IN (- 1, 1)
SELECT id FROM images WHERE id NOT IN (-5, 5) AND id < 8
SELECT COUNT(*) FROM images WHERE id NOT IN (-5, 5)
SELECT COUNT(*) FROM images WHERE id > -5
SELECT COUNT(*) FROM images WHERE id >= -1
SELECT id FROM images WHERE id BETWEEN -5 AND 3
SELECT COUNT(*) FROM images WHERE id < -0
SELECT COUNT(*) FROM images WHERE id <> -5
SELECT id FROM images WHERE id = -5 OR id = 5
SELECT id FROM images WHERE (id = -5 OR id = 5) AND id = 5
SELECT id FROM images WHERE id = -5 AND id = 5
SELECT id FROM images WHERE id IN (-5, 5) AND id IN (5, 6)
SELECT id FROM users WHERE id IN (-1, 1, 2, 3, 18446744073709551615, -9223372036854775808, 9223372036854775808)
SELECT id FROM users WHERE id IN ('-1', 18446744073709551615)
SELECT id FROM users WHERE id IN (-1, '18446744073709551615')
SELECT id FROM users WHERE id IN (-1.0, 18446744073709551615)
SELECT id FROM users WHERE id IN (-1e0, 5)
SELECT id FROM users WHERE id IN (-1, 5.0)

-- ======================================================================
-- 4. Joins, aggregates and column names
-- ======================================================================
SELECT i.id, l.id FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id = -5
[either] SELECT i.id, l.id FROM images i JOIN likes l ON l.image_id = i.id WHERE i.id IN (-5, 5)
[either] SELECT i.id, l.id FROM images i JOIN likes l ON l.image_id = i.id WHERE l.image_id IN (-5, 5, - -6)
SELECT COUNT(*) FROM likes WHERE image_id = -5
SELECT COUNT(*) FROM likes WHERE image_id IN (-5, 5, 6)
SELECT COUNT(*) FROM likes WHERE image_id = - -5
[either] SELECT u.id, i.id FROM users u JOIN images i ON i.user_id = u.id WHERE u.id = -1
[either] SELECT u.id, COUNT(i.id) FROM users u LEFT JOIN images i ON i.user_id = u.id WHERE u.id IN (-1, 18446744073709551615) GROUP BY u.id
SELECT COUNT(*) FROM images WHERE user_id = -1
SELECT COUNT(*) FROM images WHERE user_id = 18446744073709551615
SELECT COUNT(*) FROM likes WHERE user_id IN (-1, 18446744073709551615)
SELECT MIN(-id), MAX(-id), SUM(-id) FROM images
SELECT AVG(-id) FROM images
SELECT SUM(-5), COUNT(-5), MIN(-5), MAX(- -5) FROM images
[ordered] SELECT id, -id FROM images ORDER BY -id LIMIT 5
[ordered] SELECT id, -id AS n FROM images ORDER BY n DESC LIMIT 3
[either] SELECT -(id % 3) AS g, COUNT(*) FROM images GROUP BY g
[either] [ordered] SELECT -(id % 3) AS g, COUNT(*) FROM images GROUP BY g ORDER BY g
[ordered] SELECT id, -5, - 5, -(5), - -5, -0, - 0 FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, -9223372036854775808, -9223372036854775809, -18446744073709551615 FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, -0x5, -b'101', -'5', -5.0, -5e0, -TRUE FROM images ORDER BY id LIMIT 2
[ordered] SELECT id, +5, + 5, -+5 FROM images ORDER BY id LIMIT 2
SELECT -5, - 5, -(5), - -5 FROM images WHERE id = 5
SELECT -9223372036854775808 AS a, -9223372036854775809 AS b FROM images WHERE id = -5
[either] SELECT COUNT(*) AS c, -1 AS m FROM images
[either] SELECT MAX(id) - -1 FROM images
SELECT MIN(id) + -1 FROM images WHERE id IN (-1, 1, 2)
[ordered] SELECT id FROM images WHERE id IN (-5, 5, 6, 7) ORDER BY -id
[ordered] SELECT id FROM images WHERE id < 10 ORDER BY id LIMIT 2, 3

-- ======================================================================
-- 5. Precedence next to a key comparison
-- ======================================================================
SELECT COUNT(*) FROM images WHERE id = 5 BETWEEN 0 AND 1
SELECT COUNT(*) FROM images WHERE id = -5 BETWEEN -1 AND 1
SELECT COUNT(*) FROM images WHERE id = 5 IS TRUE
SELECT COUNT(*) FROM images WHERE id = -5 IS FALSE
SELECT COUNT(*) FROM images WHERE id = 5 IS NOT NULL
SELECT COUNT(*) FROM images WHERE NOT id = 5
SELECT COUNT(*) FROM images WHERE NOT id = -5
SELECT COUNT(*) FROM images WHERE ! id = 5
SELECT COUNT(*) FROM images WHERE id = !5
SELECT COUNT(*) FROM images WHERE id = 5 XOR 1
SELECT COUNT(*) FROM images WHERE id = 5 LIKE '1'
SELECT COUNT(*) FROM images WHERE id = 5 IN (0)
SELECT COUNT(*) FROM images WHERE id IN (5) = 0
SELECT COUNT(*) FROM images WHERE id = 5 = 0
SELECT COUNT(*) FROM images WHERE id = -5 = 0
SELECT COUNT(*) FROM images WHERE (id = 5) = 0
SELECT COUNT(*) FROM images WHERE id = 5 < 1
SELECT COUNT(*) FROM images WHERE id = 5 <=> 0
SELECT COUNT(*) FROM images WHERE id = 5 || 0
SELECT COUNT(*) FROM images WHERE id = 5 && 1
SELECT COUNT(*) FROM images WHERE id = 5 MOD 3
SELECT COUNT(*) FROM images WHERE id = 5 DIV 1 = 1
SELECT COUNT(*) FROM images WHERE id = CASE WHEN 1 THEN -5 ELSE 5 END
SELECT COUNT(*) FROM images WHERE id = CASE WHEN 0 THEN -5 ELSE 5 END
SELECT COUNT(*) FROM images WHERE id = IF(1, 5, -5)
SELECT COUNT(*) FROM images WHERE id = COALESCE(NULL, -5, 5)
SELECT COUNT(*) FROM images WHERE id = GREATEST(-5, 5)

-- ======================================================================
-- 6. The same reads grouped by the expression (not the alias), and
--    negative literals next to the second key of likes
-- ======================================================================
SELECT -(id % 3), COUNT(*) FROM images GROUP BY -(id % 3)
[ordered] SELECT -(id % 3), COUNT(*) FROM images GROUP BY -(id % 3) ORDER BY -(id % 3)
SELECT id FROM likes WHERE image_id = -5 AND id = 1
SELECT id FROM likes WHERE image_id IN (-5, 5) AND user_id <> -1
[either] SELECT COUNT(*) FROM likes WHERE image_id IN (SELECT id FROM images WHERE id = -5)
[either] SELECT id FROM images WHERE id = -5 UNION ALL SELECT id FROM images WHERE id = 5
[either] SELECT id FROM images WHERE id = 5 UNION SELECT -5
SELECT * FROM (SELECT id FROM images WHERE id = -5) d
[either] SELECT id FROM images WHERE id = (SELECT -5)
[either] SELECT id FROM images WHERE id = (SELECT - -5)
