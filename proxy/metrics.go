package proxy

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/scalelab/scalelab/router"
)

// metrics are the proxy's Prometheus series. Each Server has its own
// registry, so two servers in one process (tests) do not collide.
type metrics struct {
	reg      *prometheus.Registry
	open     prometheus.Gauge
	accepted prometheus.Counter
	rejected *prometheus.CounterVec // reason: auth, max_connections, idle_timeout, read_timeout
	errors   *prometheus.CounterVec // number: the MySQL error number sent
	latency  *prometheus.HistogramVec
	byKind   map[string]prometheus.Observer
	relayed  prometheus.Counter
	// internal counts statements that failed with router.ErrInternal.
	internal prometheus.Counter
}

// statementKinds are the router's statement kinds, plus the proxy's own.
var statementKinds = []string{
	router.Unparsed.String(), router.Read.String(), router.LockingRead.String(), router.Write.String(),
	router.DDL.String(), router.Begin.String(), router.Commit.String(), router.Rollback.String(),
	router.TxOther.String(), router.SessionState.String(), router.Other.String(), kindIntrospect,
}

func newMetrics(r *router.Router) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		open: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "scalelab_proxy_connections_open", Help: "Client connections open now.",
		}),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "scalelab_proxy_connections_total", Help: "Client connections accepted.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scalelab_proxy_connections_rejected_total", Help: "Client connections refused or closed by the proxy, by reason.",
		}, []string{"reason"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scalelab_proxy_errors_total", Help: "Error packets the proxy sent in answer to clients' commands, by MySQL error number (refused connections count in scalelab_proxy_connections_rejected_total; a packet the protocol library cannot parse gets its own error, not counted).",
		}, []string{"errno"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scalelab_proxy_statement_duration_seconds",
			Help:    "Time from a statement's arrival to its last row sent, by statement kind.",
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 18), // 50µs … 6.5s
		}, []string{"kind"}),
		byKind: map[string]prometheus.Observer{},
		relayed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "scalelab_proxy_relayed_total", Help: "Statements whose response was copied from the node to the client byte for byte (see scalelab proxy --relay).",
		}),
		internal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "scalelab_proxy_internal_errors_total", Help: "Statements during which the router panicked (a bug in scalelab, whose stack the log holds): each got error 1105, and its client's connection was closed.",
		}),
	}
	for _, k := range statementKinds {
		m.byKind[k] = m.latency.WithLabelValues(k)
	}
	for _, reason := range []string{"auth", "max_connections", "idle_timeout", "read_timeout"} {
		m.rejected.WithLabelValues(reason)
	}
	m.reg.MustRegister(m.open, m.accepted, m.rejected, m.errors, m.latency, m.relayed, m.internal, routerCollector{r})
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// routerCollector exports the router's own counters at scrape time, so the
// proxy never counts routes itself.
type routerCollector struct{ r *router.Router }

var (
	// One counter per dimension, so that a sum over a label counts each
	// statement once.
	routeDesc = prometheus.NewDesc("scalelab_router_statements_total",
		"Statements sent to nodes, by route (primary, replica, fallback, unparsed): a scattered statement once per shard. Sums to scalelab_router_node_statements_total.", []string{"route"}, nil)
	nodeDesc = prometheus.NewDesc("scalelab_router_node_statements_total",
		"Statements sent to nodes, by node.", []string{"node"}, nil)
	shapeDesc = prometheus.NewDesc("scalelab_router_sharded_statements_total",
		"Statements on sharded tables, once each, by plan shape (single-shard, multi-shard, scatter).", []string{"shape"}, nil)
	retryDesc = prometheus.NewDesc("scalelab_router_retries_total",
		"Reads that failed on a replica and ran again on another node.", nil, nil)
	stickyDesc = prometheus.NewDesc("scalelab_router_sticky_sessions_total",
		"Client sessions that began to keep their own connections and read on the primaries, after a statement that makes connection state (GET_LOCK, a temporary table, LOCK TABLES, PREPARE) or calls CONNECTION_ID(): each gave up its read scaling.", nil, nil)
)

func (c routerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{routeDesc, nodeDesc, shapeDesc, retryDesc, stickyDesc} {
		ch <- d
	}
}

func (c routerCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.r.Stats()
	for _, m := range []struct {
		desc   *prometheus.Desc
		counts map[string]uint64
	}{{routeDesc, st.Routes}, {nodeDesc, st.Nodes}, {shapeDesc, st.Shapes}} {
		for label, n := range m.counts {
			ch <- prometheus.MustNewConstMetric(m.desc, prometheus.CounterValue, float64(n), label)
		}
	}
	ch <- prometheus.MustNewConstMetric(retryDesc, prometheus.CounterValue, float64(st.Retries))
	ch <- prometheus.MustNewConstMetric(stickyDesc, prometheus.CounterValue, float64(st.Sticky))
}
