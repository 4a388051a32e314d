package reshard_test

import (
	"testing"
	"time"

	"github.com/scalelab/scalelab/reshard"
)

// BenchmarkOnlineSwitch measures, from the writer's side, how long writes
// pause when an online reshard (2 → 4 shards, hash) switches, and when it
// is reversed, under a steady stream of inserts, updates and deletes
// through a router that follows the topology file. Each iteration is one
// switch and one reversal on the same sandbox; a line per step gives the
// switch's own window and the writer's longest write, and max-pause-ms
// is the longest of them all. scripts/reshard-pause.sh runs five.
func BenchmarkOnlineSwitch(b *testing.B) {
	sb := startSandbox(b, 2, 31000, "hash") // BasePort: 31000
	load(b, sb.Topology)
	model := loadedItems()
	r := followingRouter(b, sb)
	var worst time.Duration
	var last *writer
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for _, step := range []struct {
			name string
			cfg  reshard.Config
		}{{"switch", reshard.Config{Shards: 4, Online: true, Switch: true}}, {"reverse", reshard.Config{Reverse: true}}} {
			w := itemWriter(b, r, model, last)
			time.Sleep(100 * time.Millisecond)
			res, err := runOn(b, sb.Dir, step.cfg)
			time.Sleep(100 * time.Millisecond)
			w.halt()
			last = w
			if err != nil {
				b.Fatalf("run %d, %s: %v", n+1, step.name, err)
			}
			b.Logf("run %d %-7s window %7.1f ms  writer's longest write %7.1f ms  %5d writes, none failed",
				n+1, step.name, float64(res.Switch.D().Microseconds())/1000, float64(w.longest.Microseconds())/1000, w.acked)
			worst = max(worst, w.longest)
		}
	}
	b.StopTimer()
	checkItems(b, sb.TopologyPath(), 2, model)
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-pause-ms")
}
