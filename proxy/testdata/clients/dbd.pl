# One client of the proxy's compatibility matrix: Perl's DBD::MariaDB,
# with server-side prepares (the binary protocol) for parameters.
# Prints "version V", then "ok CHECK" or "fail CHECK: why" per check.
use strict; use warnings;
use DBI; use DBD::MariaDB;
$| = 1;
my $base = $ENV{SL_BASE};
print "version $DBD::MariaDB::VERSION\n";
sub check { my ($name, $fn) = @_; eval { $fn->(); 1 } ? print "ok $name\n" : do { my $e = $@; $e =~ s/\s+/ /g; print "fail $name: $e\n" }; }
sub must { my ($cond, $what) = @_; die "unexpected: $what\n" unless $cond; }
my $db;
check("auth", sub {
    $db = DBI->connect("DBI:MariaDB:database=$ENV{SL_DB};host=$ENV{SL_HOST};port=$ENV{SL_PORT};mariadb_server_prepare=1",
        $ENV{SL_USER}, $ENV{SL_PASSWORD}, { RaiseError => 1, PrintError => 0, AutoCommit => 1 }) or die $DBI::errstr;
});
exit 0 unless $db;
check("types", sub {
    my $ins = $db->prepare("INSERT INTO clientmatrix (id, i, f, d, s, n, dt, b) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    my @v = ($base, 42, 1.5, "12.34", "it's", undef, "2024-02-29");
    $ins->bind_param($_ + 1, $v[$_]) for 0 .. $#v;
    $ins->bind_param(8, "\x00\xff", DBI::SQL_BLOB); # bytes, not text to encode
    $ins->execute;
    my $r = $db->selectrow_arrayref("SELECT /*+ scalelab_consistency=strong */ i, f, d, s, n, dt, b FROM clientmatrix WHERE id = ?", undef, $base);
    must($r->[0] == 42 && $r->[1] == 1.5 && $r->[2] eq "12.34" && $r->[3] eq "it's" && !defined $r->[4] && $r->[5] eq "2024-02-29" && $r->[6] eq "\x00\xff", join(",", map { defined $_ ? $_ : "NULL" } @$r));
});
check("shard_key", sub {
    $db->do("INSERT INTO clientmatrix (id, s) VALUES (?, ?)", undef, $base + $_, "m$base") for 1 .. 5;
    for my $k (1 .. 5) { my ($id) = $db->selectrow_array("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE id = ?", undef, $base + $k); must($id == $base + $k, $id); }
});
check("scatter", sub {
    my ($n, $sum) = $db->selectrow_array("SELECT /*+ scalelab_consistency=strong */ COUNT(*), SUM(id) FROM clientmatrix WHERE s = ?", undef, "m$base");
    must($n == 5 && $sum == 5 * $base + 15, "$n $sum");
    my $ids = $db->selectcol_arrayref("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE s = ? ORDER BY id DESC LIMIT 2", undef, "m$base");
    must($ids->[0] == $base + 5 && $ids->[1] == $base + 4, "@$ids");
});
check("transaction", sub {
    $db->begin_work; $db->do("INSERT INTO clientmatrix (id, s) VALUES (?, 'rolled back')", undef, $base + 10); $db->rollback;
    $db->begin_work; $db->do("INSERT INTO clientmatrix (id, s) VALUES (?, 'committed')", undef, $base + 11); $db->commit;
    my ($n) = $db->selectrow_array("SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM clientmatrix WHERE id IN (?, ?)", undef, $base + 10, $base + 11);
    must($n == 1, $n);
});
sub expect_error { my ($sql, $code) = @_; my $ok = eval { $db->do($sql); 1 }; die "no error\n" if $ok; must($db->err == $code, $db->err); }
check("server_error", sub { expect_error("SELECT nope FROM clientmatrix WHERE id = 1", 1054) });
check("refused_shape", sub { expect_error("SELECT a.id FROM clientmatrix a JOIN clientmatrix b ON a.i = b.i", 1235) });
check("procedure", sub {
    my $st = $db->prepare("CALL two()", { mariadb_server_prepare => 0 });
    $st->execute;
    my @sets;
    # The closing OK of the CALL is a result of no columns, not fetched.
    do { push @sets, $st->fetchall_arrayref if $st->{NUM_OF_FIELDS}; } while ($st->more_results);
    must(@sets == 2 && $sets[0][0][0] == 1 && $sets[1][0][0] == 2, scalar @sets);
});
