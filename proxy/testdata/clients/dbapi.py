# One client of the proxy's compatibility matrix: a Python DB-API driver,
# PyMySQL or mysqlclient (MySQLdb), named by the first argument. Both send
# text queries, with the parameters escaped into the text by the driver.
# Prints "version V", then "ok CHECK" or "fail CHECK: why" per check.
import datetime, decimal, os, sys

mod = sys.argv[1]
if mod == "pymysql":
    import pymysql as db
    version = db.__version__
    connect = lambda: db.connect(host=H, port=P, user=U, password=PW, database=DB)
else:
    import MySQLdb as db
    version = ".".join(str(x) for x in db.version_info[:3])
    connect = lambda: db.connect(host=H, port=P, user=U, password=PW, database=DB)
H, P, U, PW, DB = os.environ["SL_HOST"], int(os.environ["SL_PORT"]), os.environ["SL_USER"], os.environ["SL_PASSWORD"], os.environ["SL_DB"]
base = int(os.environ["SL_BASE"])
print("version", version)

def check(name, fn):
    try:
        fn()
        print("ok", name)
    except Exception as e:
        print("fail %s: %s" % (name, repr(e).replace("\n", " ")))
    sys.stdout.flush()

conn = None
def auth():
    global conn
    conn = connect()
    conn.autocommit(True)
check("auth", auth)
if conn is None:
    sys.exit(0)

ROW = (42, 1.5, decimal.Decimal("12.34"), "it's", None, datetime.date(2024, 2, 29), b"\x00\xff")

def types():
    c = conn.cursor()
    c.execute("INSERT INTO clientmatrix (id, i, f, d, s, n, dt, b) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", (base,) + ROW)
    c.execute("SELECT /*+ scalelab_consistency=strong */ i, f, d, s, n, dt, b FROM clientmatrix WHERE id = %s", (base,))
    got = c.fetchone()
    got = (got[0], got[1], got[2], got[3], got[4], got[5], bytes(got[6]))
    assert got == ROW, got
check("types", types)

def shard_key():
    c = conn.cursor()
    for k in range(1, 6):
        c.execute("INSERT INTO clientmatrix (id, s) VALUES (%s, %s)", (base + k, "m%d" % base))
    for k in range(1, 6):
        c.execute("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE id = %s", (base + k,))
        assert c.fetchone()[0] == base + k
check("shard_key", shard_key)

def scatter():
    c = conn.cursor()
    c.execute("SELECT /*+ scalelab_consistency=strong */ COUNT(*), SUM(id) FROM clientmatrix WHERE s = %s", ("m%d" % base,))
    n, total = c.fetchone()
    assert n == 5 and int(total) == 5 * base + 15, (n, total)
    c.execute("SELECT /*+ scalelab_consistency=strong */ id FROM clientmatrix WHERE s = %s ORDER BY id DESC LIMIT 2", ("m%d" % base,))
    assert [r[0] for r in c.fetchall()] == [base + 5, base + 4]
check("scatter", scatter)

def transaction():
    c = conn.cursor()
    conn.begin()
    c.execute("INSERT INTO clientmatrix (id, s) VALUES (%s, 'rolled back')", (base + 10,))
    conn.rollback()
    conn.begin()
    c.execute("INSERT INTO clientmatrix (id, s) VALUES (%s, 'committed')", (base + 11,))
    conn.commit()
    c.execute("SELECT /*+ scalelab_consistency=strong */ COUNT(*) FROM clientmatrix WHERE id IN (%s, %s)", (base + 10, base + 11))
    assert c.fetchone()[0] == 1
check("transaction", transaction)

def expect_error(sql, code):
    c = conn.cursor()
    try:
        c.execute(sql)
    except db.MySQLError as e:
        assert e.args[0] == code, e.args
        return
    raise AssertionError("no error")
check("server_error", lambda: expect_error("SELECT nope FROM clientmatrix WHERE id = 1", 1054))
check("refused_shape", lambda: expect_error("SELECT a.id FROM clientmatrix a JOIN clientmatrix b ON a.i = b.i", 1235))

def procedure():
    c = conn.cursor()
    c.execute("CALL two()")
    sets = [c.fetchall()]
    while c.nextset():
        if c.description:
            sets.append(c.fetchall())
    assert [list(map(list, s)) for s in sets] == [[[1]], [[2]]], sets
check("procedure", procedure)
