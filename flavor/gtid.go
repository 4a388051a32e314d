package flavor

import (
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
	for _, part := range strings.Split(pos, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
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
