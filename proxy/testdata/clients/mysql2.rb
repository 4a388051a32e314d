# One client of the proxy's compatibility matrix: Ruby's mysql2, with
# prepared statements (the binary protocol) for parameters.
# Prints "version V", then "ok CHECK" or "fail CHECK: why" per check.
require "mysql2"
require "bigdecimal"
require "date"
base = ENV["SL_BASE"].to_i
puts "version #{Mysql2::VERSION}"
$stdout.sync = true

def check(name)
  yield
  puts "ok #{name}"
rescue Exception => e
  puts "fail #{name}: #{e.class} #{e.message.tr("\n", " ")}"
end

db = nil
check("auth") { db = Mysql2::Client.new(host: ENV["SL_HOST"], port: ENV["SL_PORT"].to_i, username: ENV["SL_USER"], password: ENV["SL_PASSWORD"], database: ENV["SL_DB"], flags: Mysql2::Client::MULTI_STATEMENTS) }
exit 0 unless db
q = ->(sql, *params) { st = db.prepare(sql); r = st.execute(*params, as: :array); r ? r.to_a : [] }
must = ->(cond, what) { raise "unexpected: #{what.inspect}" unless cond }

check("types") do
  q.("INSERT INTO clientmatrix (id, i, f, d, s, n, dt, b) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", base, 42, 1.5, BigDecimal("12.34"), "it's", nil, Date.new(2024, 2, 29), "\x00\xff".b)
  r = q.("SELECT /*+ scalelab_consistency=strong */ i, f, d, s, n, dt, b FROM clientmatrix WHERE id = ?", base)[0]
  must.(r[0] == 42 && r[1] == 1.5 && r[2] == BigDecimal("12.34") && r[3] == "it's" && r[4].nil? && r[5] == Date.new(2024, 2, 29) && r[6].b == "\x00\xff".b, r)
  # mysql2 keys a row by the names the prepare gave, as the server names
  # a column over a parameter: COUNT(?).
  r = db.prepare("SELECT /*+ scalelab_consistency=strong */ COUNT(?), i FROM clientmatrix WHERE id = ?").execute(1, base).first
  must.(r.keys == ["COUNT(?)", "i"] && r["COUNT(?)"] == 1, r)
end
check("shard_key") do
  (1..5).each { |k| q.("INSERT INTO clientmatrix (id, s) VALUES (?, ?)", base + k, "m#{base}") }
  (1..5).each { |k| r = q.("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE id = ?", base + k); must.(r[0][0] == base + k, r) }
end
check("scatter") do
  r = q.("SELECT /*+ scalelab_consistency=strong */ COUNT(*), SUM(id) FROM clientmatrix WHERE s = ?", "m#{base}")[0]
  must.(r[0] == 5 && r[1].to_i == 5 * base + 15, r)
  r = q.("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE s = ? ORDER BY id DESC LIMIT 2", "m#{base}")
  must.(r.map(&:first) == [base + 5, base + 4], r)
  # mysql2 sends a BigDecimal as its to_s, 0.15e1: the server reads the
  # DECIMAL 1.5, and so must a statement over several shards.
  r = q.("SELECT /*+ scalelab_consistency=strong */ ? + 0 FROM clientmatrix WHERE s = ? ORDER BY id LIMIT 1", BigDecimal("1.50"), "m#{base}")
  must.(r[0][0].is_a?(BigDecimal) && r[0][0] == BigDecimal("1.5"), r)
end
check("transaction") do
  db.query("BEGIN"); q.("INSERT INTO clientmatrix (id, s) VALUES (?, 'rolled back')", base + 10); db.query("ROLLBACK")
  db.query("BEGIN"); q.("INSERT INTO clientmatrix (id, s) VALUES (?, 'committed')", base + 11); db.query("COMMIT")
  r = q.("SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM clientmatrix WHERE id IN (?, ?)", base + 10, base + 11)
  must.(r[0][0] == 1, r)
end
expect_error = lambda do |sql, code|
  begin
    db.query(sql)
  rescue Mysql2::Error => e
    must.(e.error_number == code, e.error_number)
    return
  end
  raise "no error"
end
check("server_error") { expect_error.("SELECT nope FROM clientmatrix WHERE id = 1", 1054) }
check("refused_shape") { expect_error.("SELECT a.id FROM clientmatrix a JOIN clientmatrix b ON a.i = b.i", 1235) }
check("procedure") do
  sets = [db.query("CALL two()", as: :array).to_a]
  while db.next_result
    r = db.store_result
    sets << r.to_a if r
  end
  must.(sets == [[[1]], [[2]]], sets)
end
