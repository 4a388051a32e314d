// Package proxy puts scalelab's router behind the MySQL wire protocol, so
// that any MySQL client (the mariadb CLI, sysbench, an app in any language)
// can use its routing, as clients of Vitess vtgate, ProxySQL or MaxScale
// do. Every client connection gets its own router.Session, with its own
// transaction, autocommit, database and consistency mode; results stream
// to the client as the backends send them; backend errors reach the client
// with their MySQL number and SQLSTATE, and the router's own refusals as
// error 1235 (ErrNumRefused, SQLSTATE 42000). A statement whose node is
// down or unreachable fails with 1105 (ErrNumBackend, HY000), one that
// may run once the node answers or a failover replaces it. A statement
// during which the router panicked (router.ErrInternal: a bug in
// scalelab, whose stack goes to the router's log) fails with 1105 too,
// and the proxy then closes the client's connection, whose session the
// router closed; scalelab_proxy_internal_errors_total counts them. SHOW
// scalelab_route <SQL> shows a statement's route (see RouteCommand), and
// Prometheus metrics are served on /metrics. The protocol is vtgate's own
// listener (vitess.io/vitess/go/mysql).
//
//	r, err := router.Open(ctx, topo, router.Config{})
//	if err != nil { … }
//	srv, err := proxy.New(r, proxy.Config{
//		Listen: "127.0.0.1:6033",
//		Users:  map[string]string{topo.User.Name: topo.User.Password},
//	})
//	if err != nil { … }
//	if err := srv.Start(ctx); err != nil { … }
//	<-ctx.Done()
//	srv.Shutdown(context.Background()) // drain, then close
//
// Then: mariadb -h127.0.0.1 -P6033 -uscalelab -p scalelab
package proxy
