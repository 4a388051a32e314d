package shard

import (
	"fmt"
	"testing"
)

func TestPlanReshard(t *testing.T) {
	tests := []struct {
		from, to []string
		reuse    string
	}{
		{[]string{"-80", "80-"}, []string{"-40", "40-80", "80-c0", "c0-"}, "[0 -1 1 -1]"},
		{[]string{"-80", "80-"}, []string{"-55", "55-aa", "aa-"}, "[0 -1 1]"},
		{[]string{"0"}, []string{"-80", "80-"}, "[0 -1]"},
		{[]string{"-80", "80-"}, []string{"-80", "80-c0", "c0-"}, "[0 1 -1]"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.from, "→", tc.to), func(t *testing.T) {
			p, err := PlanReshard(tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(p.Reuse); got != tc.reuse {
				t.Errorf("got reuse %s, want %s", got, tc.reuse)
			}
		})
	}
	if _, err := PlanReshard([]string{"-80", "80-"}, []string{"0"}); err == nil {
		t.Error("merging shards: got no error")
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct {
		names  []string
		target string
		want   string
	}{
		{[]string{"-80", "80-"}, "80-", "[-80 80-c0 c0-]"},
		{[]string{"-80", "80-"}, "-80", "[-40 40-80 80-]"},
		{[]string{"0"}, "0", "[-80 80-]"},
		{[]string{"-40", "40-80", "80-"}, "40-80", "[-40 40-60 60-80 80-]"},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			got, err := SplitName(tc.names, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
			if _, err := parseAll(got); err != nil {
				t.Errorf("split names do not partition: %v", err)
			}
		})
	}
}

func TestAssignByRows(t *testing.T) {
	p, _ := PlanReshard([]string{"-80", "80-"}, []string{"-40", "40-80", "80-c0", "c0-"})
	// Modulo 2→4: old shard 0 holds ids 0,2 mod 4; old shard 1 holds 1,3.
	p.AssignByRows([][]int64{{750, 0, 750, 0}, {0, 750, 0, 750}})
	if got := fmt.Sprint(p.Reuse); got != "[0 1 -1 -1]" {
		t.Errorf("got reuse %s, want [0 1 -1 -1]", got)
	}
	p.AssignByRows([][]int64{{0, 0, 0, 0}, {0, 0, 0, 0}})
	if got := fmt.Sprint(p.Reuse); got != "[0 1 -1 -1]" {
		t.Errorf("no rows changed the plan: %s", got)
	}
	// Old shard 0 keeps more rows in new shard 1, and old shard 1 in new
	// shard 2, but the first shard's servers stay first: unsharded tables
	// live there.
	p.AssignByRows([][]int64{{700, 800, 0, 0}, {0, 0, 900, 600}})
	if got := fmt.Sprint(p.Reuse); got != "[0 -1 1 -1]" {
		t.Errorf("got reuse %s, want [0 -1 1 -1]: the first shard keeps its servers", got)
	}
}
