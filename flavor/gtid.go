package flavor

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// NewerGTID reports whether GTID position a is ahead of b, for choosing the
// position a read must wait for. Positions are MariaDB GTID lists
// ("0-24000-57", several domains comma-separated) or MySQL GTID sets
// ("uuid:1-57,uuid2:1-3"); both only grow on one primary, so comparing
// transaction counts orders them. An empty b is behind anything.
func NewerGTID(a, b string) bool {
	if b == "" {
		return a != ""
	}
	return gtidWeight(a) > gtidWeight(b)
}

// gtidWeight sums MariaDB sequence numbers, or counts the transactions of
// a MySQL GTID set.
func gtidWeight(pos string) uint64 {
	var total uint64
	for _, part := range splitGTIDs(pos) {
		if uuid, ivals, ok := strings.Cut(part, ":"); ok && len(uuid) >= 32 {
			for _, iv := range strings.Split(ivals, ":") {
				lo, hi, isRange := strings.Cut(iv, "-")
				l, err1 := strconv.ParseUint(lo, 10, 64)
				h := l
				var err2 error
				if isRange {
					h, err2 = strconv.ParseUint(hi, 10, 64)
				}
				if err1 == nil && err2 == nil && h >= l {
					total += h - l + 1
				}
			}
			continue
		}
		if i := strings.LastIndexByte(part, '-'); i >= 0 {
			if n, err := strconv.ParseUint(part[i+1:], 10, 64); err == nil {
				total += n
			}
		}
	}
	return total
}

// onOff is a boolean as a server variable's value.
func onOff(on bool) string {
	if on {
		return "ON"
	}
	return "OFF"
}

// Errant returns the transactions in state old (a GTIDStateQuery result of
// a former primary) that state current (the new primary's) does not hold:
// writes that exist only on the former primary, which it must not bring
// into the shard by replicating. Empty means none. MySQL sets are
// subtracted by the server q; MariaDB states are compared here, per
// domain and server id.
func Errant(ctx context.Context, q Queryer, f Flavor, old, current string) (string, error) {
	if f.Name() == MySQL {
		return QueryText(ctx, q, "SELECT GTID_SUBTRACT(?, ?)", old, current)
	}
	have := map[string]uint64{} // "domain-server" → last sequence number
	for _, g := range splitGTIDs(current) {
		if key, seq, ok := mariaGTID(g); ok {
			have[key] = max(have[key], seq)
		}
	}
	var errant []string
	for _, g := range splitGTIDs(old) {
		key, seq, ok := mariaGTID(g)
		if !ok {
			return "", fmt.Errorf("flavor: cannot read GTID %q", g)
		}
		if h, found := have[key]; !found || seq > h {
			from := uint64(1)
			if found {
				from = h + 1
			}
			if from == seq {
				errant = append(errant, key+"-"+strconv.FormatUint(seq, 10))
			} else {
				errant = append(errant, fmt.Sprintf("%s-%d…%s-%d", key, from, key, seq))
			}
		}
	}
	return strings.Join(errant, ","), nil
}

func splitGTIDs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// mariaGTID splits "domain-server-seq" into "domain-server" and seq.
func mariaGTID(g string) (key string, seq uint64, ok bool) {
	i := strings.LastIndexByte(g, '-')
	if i <= 0 {
		return "", 0, false
	}
	seq, err := strconv.ParseUint(g[i+1:], 10, 64)
	if err != nil || strings.Count(g[:i], "-") != 1 {
		return "", 0, false
	}
	return g[:i], seq, true
}
