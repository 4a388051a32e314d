-- Statements over images' INET6 (ip), INET4 (ip4) and UUID (u) columns,
-- which TestBinaryFormColumns adds. MariaDB orders, groups and compares
-- these by their binary form; their text orders otherwise ('::11' before
-- '::2', '10.0.0.10' before '10.0.0.9'), and so does their WEIGHT_STRING,
-- which is the text's. A merge over shards on them must be refused.
[ordered] [refuse:comparing INET6, INET4 or UUID] SELECT ip FROM images WHERE id <= 40 ORDER BY ip
[ordered] [refuse:comparing INET6, INET4 or UUID] SELECT id, ip FROM images WHERE ip IS NOT NULL ORDER BY ip LIMIT 12
[ordered] [refuse:comparing INET6, INET4 or UUID] SELECT id, ip FROM images ORDER BY ip DESC, id LIMIT 12
[refuse:comparing INET6, INET4 or UUID] SELECT MIN(ip), MAX(ip) FROM images WHERE id BETWEEN 5 AND 20
[refuse:comparing INET6, INET4 or UUID] SELECT user_id, MIN(ip), MAX(ip) FROM images WHERE user_id < 10 GROUP BY user_id
[ordered] [refuse:comparing INET6, INET4 or UUID] SELECT DISTINCT ip FROM images WHERE id <= 20 ORDER BY ip
[refuse:comparing INET6, INET4 or UUID] SELECT DISTINCT ip FROM images WHERE id <= 20
[ordered] [refuse:comparing INET6, INET4 or UUID] SELECT ip, COUNT(*) FROM images WHERE id <= 20 GROUP BY ip ORDER BY ip
[ordered] [refuse:comparing INET6, INET4 or UUID] SELECT ip4 FROM images WHERE id <= 300 ORDER BY ip4 LIMIT 12
[refuse:comparing INET6, INET4 or UUID] SELECT MIN(ip4), MAX(ip4) FROM images
[ordered] [refuse:comparing INET6, INET4 or UUID] SELECT u FROM images ORDER BY u LIMIT 8
[refuse:comparing INET6, INET4 or UUID] SELECT MIN(u), MAX(u) FROM images
[ordered] [refuse:comparing INET6, INET4 or UUID] SELECT id, COALESCE(ip, '::') AS a FROM images ORDER BY a, id LIMIT 10
-- What the hint offers: HEX of an INET6 or INET4 is its binary form,
-- whose text sorts as the value does.
[ordered] SELECT HEX(ip) AS h FROM images WHERE id <= 40 ORDER BY h
[ordered] SELECT id, ip FROM images ORDER BY HEX(ip), id LIMIT 12
SELECT MIN(HEX(ip4)), MAX(HEX(ip4)) FROM images
-- Pinned to one shard, or merged without comparing them, they run.
SELECT ip, ip4, u FROM images WHERE id = 11
SELECT id, ip FROM images WHERE id IN (1, 2, 3, 11, 20)
SELECT COUNT(ip), COUNT(*), COUNT(u) FROM images
[ordered] SELECT id, ip FROM images ORDER BY id LIMIT 15
SELECT ip FROM images WHERE ip = '::25'
-- Text and dates keep their merges (no flag on their keys).
[ordered] SELECT id, name FROM images ORDER BY name, id LIMIT 20
[ordered] SELECT id, dt FROM images ORDER BY dt DESC, id LIMIT 10
