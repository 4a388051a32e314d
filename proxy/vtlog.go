package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	vtlog "vitess.io/vitess/go/vt/log"
)

// vitessLog routes what the vitess protocol library logs (a failed login,
// a broken connection) to the proxy's Logf as one plain line, "vitess:
// message key=value …", instead of its own JSON lines with source paths.
// Below warnings it logs nothing. The library's logger is global: the
// last proxy created in a process receives its lines.
func vitessLog(logf func(string, ...any)) {
	vtlog.SwapLogger(slog.New(&lineHandler{logf: logf}))
}

type lineHandler struct {
	logf  func(string, ...any)
	attrs []slog.Attr
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("vitess: ")
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.logf("%s", b.String())
	return nil
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &lineHandler{logf: h.logf, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

func (h *lineHandler) WithGroup(string) slog.Handler { return h }
