package lab

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Options are scalelab lab's command-line options as the user gave them.
// Resolve checks them and returns what to run. Its errors name the
// options, since they go to the user who gave them.
type Options struct {
	// Lab is a lab's name, or "all" for every lab.
	Lab string
	// Size names a size (see SizeNamed). Duration, Rows, Rounds and
	// Clients replace its values when given.
	Size                  string
	Duration              time.Duration
	Rows, Rounds, Clients int
	// Format names the output format.
	Format string
	// Given reports whether the user gave the option of that name, such
	// as "rows". Nil means none was given.
	Given func(option string) bool
}

// Resolve returns the names of the labs to run, in order, their Size and
// the output format.
func (o Options) Resolve() (names []string, size Size, format Format, err error) {
	given := func(option string) bool { return o.Given != nil && o.Given(option) }
	names = []string{o.Lab}
	if o.Lab == "all" {
		names = Names()
	} else if !slices.Contains(Names(), o.Lab) {
		return nil, Size{}, "", fmt.Errorf("no lab %q: want one of %s, or all", o.Lab, strings.Join(Names(), ", "))
	}
	if size, err = SizeNamed(o.Size); err != nil {
		return nil, Size{}, "", fmt.Errorf("--size: %v", err)
	}
	format = Format(o.Format)
	if !slices.Contains(Formats(), format) {
		return nil, Size{}, "", fmt.Errorf("--format %q: want %s", o.Format, formatNames())
	}
	for _, f := range []struct {
		option string
		v      int
		dst    *int
	}{{"rows", o.Rows, &size.Rows}, {"rounds", o.Rounds, &size.Rounds}, {"clients", o.Clients, &size.Clients}} {
		if !given(f.option) {
			continue
		}
		if f.v < 1 {
			return nil, Size{}, "", fmt.Errorf("--%s %d: want 1 or more", f.option, f.v)
		}
		*f.dst = f.v
	}
	if given("duration") {
		if o.Duration <= 0 {
			return nil, Size{}, "", fmt.Errorf("--duration %v: want a positive duration", o.Duration)
		}
		size.Duration = o.Duration
	}
	return names, size, format, nil
}

// formatNames lists Formats for messages and flag help: "table, markdown,
// json".
func formatNames() string {
	var s []string
	for _, f := range Formats() {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}
