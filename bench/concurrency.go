package bench

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadConcurrency is returned (wrapped) by ParseConcurrency.
var ErrBadConcurrency = errors.New("bench: bad concurrency list")

// ParseConcurrency parses a comma-separated list of client counts, such as
// mysqlslap's --concurrency=1,10,100, for Config.Concurrency. Spaces around
// a count are allowed; every count must be 1 or more.
func ParseConcurrency(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%w %q: want client counts of 1 or more, such as 1,10,100", ErrBadConcurrency, s)
		}
		out = append(out, n)
	}
	return out, nil
}
