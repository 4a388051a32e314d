// Package bench runs a SQL workload against a database and measures it, in
// the manner of mysqlslap and sysbench: Run sends statement templates from
// several concurrent clients (at one or more concurrency levels, for a number
// of iterations, a number of queries or a duration, closed-loop or at a fixed
// open-loop rate) to a Target, which a *sql.DB and the router both satisfy,
// and returns per-level statistics: QPS, errors by kind and latency
// percentiles from an HDR histogram. Templates draw parameters such as
// {id:uniform(1,100000)} from per-client seeded random streams. Reporters
// print a Result as a table, Markdown, CSV, JSON, or mysqlslap's own summary.
// OpenTarget connects to one server or opens the router (creating
// mysqlslap's --create-schema first). A server's target is a Pool, whose
// clients speak the protocol on their sockets themselves once go-sql-driver
// has logged them in (TargetConfig.Driver keeps the driver's path). Options turns scalelab bench's
// command-line options into a run's Configs, and WriteReport writes a
// Result in the CLI's formats and files. The package prints nothing by
// itself; progress goes to Config.Progress.
//
// Example:
//
//	db := sql.OpenDB(connector) // a mysql.NewConnector from the topology's DSN
//	db.SetMaxOpenConns(100)
//	db.SetMaxIdleConns(100)
//	res, err := bench.Run(ctx, db, bench.Config{
//		Queries:         []string{"SELECT * FROM users WHERE id = {id:zipf(1,100000,1.1)}"},
//		Concurrency:     []int{1, 10, 100},
//		Iterations:      3,
//		NumberOfQueries: 10000,
//	})
//	if err != nil {
//		return err
//	}
//	if res.Partial {
//		fmt.Fprintln(os.Stderr, "interrupted: partial results")
//	}
//	return bench.WriteSlapSummary(os.Stdout, res)
package bench
