package bench_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	"github.com/go-sql-driver/mysql"

	"github.com/scalelab/scalelab/bench"
)

func ExampleParseTemplate() {
	tpl, err := bench.ParseTemplate("SELECT name FROM users WHERE id = {id:uniform(1,100000)} OR manager_id = {id}")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := bench.NewRenderer(1, 0) // one Renderer per client
	fmt.Println(r.Render(tpl))

	_, err = bench.ParseTemplate("SELECT {id:uniform(1,)}")
	fmt.Println(err)
	// Output:
	// SELECT name FROM users WHERE id = 59827 OR manager_id = 59827
	// bench: bad placeholder {id:uniform(1,)} at byte 7: uniform: hi "" is not an integer
}

func ExampleRun() {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr, cfg.DBName = "root", "tcp", "127.0.0.1:3306", "lab"
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	db.SetMaxOpenConns(100)
	db.SetMaxIdleConns(100)

	res, err := bench.Run(context.Background(), db, bench.Config{
		Queries:         bench.SplitStatements("SELECT * FROM users WHERE id = {id:zipf(1,100000,1.1)}; SELECT COUNT(*) FROM orders"),
		Concurrency:     []int{1, 10, 100},
		Iterations:      3,
		NumberOfQueries: 10000,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	_ = bench.WriteSlapSummary(os.Stdout, res)
	_ = bench.Write(os.Stdout, bench.FormatTable, res)
}
