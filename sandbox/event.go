package sandbox

import "fmt"

// String is the event as a log line: the step, after the node's name in a
// column of its own when the step is a node's.
func (e Event) String() string {
	if e.Node == "" {
		return e.Step
	}
	return fmt.Sprintf("%-16s %s", e.Node, e.Step)
}
