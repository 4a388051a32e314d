package flavor

import (
	"context"
	"strings"
	"testing"
)

func TestNewerGTID(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"0-24000-5", "", true},
		{"", "0-24000-5", false},
		{"0-24000-6", "0-24000-5", true},
		{"0-24000-5", "0-24000-6", false},
		{"0-24000-5", "0-24000-5", false},
		{"0-1-10,1-2-3", "0-1-10,1-2-2", true},
		{"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4", true},
		{"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7", true},
		{"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7", false},
	}
	for _, tc := range tests {
		t.Run(tc.a+" vs "+tc.b, func(t *testing.T) {
			if got := NewerGTID(tc.a, tc.b); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		out, flavor, version string
		err                  bool
	}{
		{"mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)", MariaDB, "10.11.19", false},
		{"/usr/sbin/mysqld  Ver 8.4.3 for Linux on x86_64 (MySQL Community Server - GPL)", MySQL, "8.4.3", false},
		{"mysqld  Ver 10.5.2-MariaDB for Linux", "", "", true},
		{"mysqld  Ver 5.7.44 for Linux on x86_64", "", "", true},
		{"garbage", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.out, func(t *testing.T) {
			f, v, err := Detect(tc.out)
			if tc.err {
				if err == nil {
					t.Fatalf("got %v %v, want an error", f, v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Name() != tc.flavor || v.String() != tc.version {
				t.Errorf("got %s %s, want %s %s", f.Name(), v, tc.flavor, tc.version)
			}
		})
	}
}

func TestGrantAppQuotes(t *testing.T) {
	for _, tc := range []struct{ db, user, want string }{
		{"scalelab", "scalelab", "ON `scalelab`.* TO 'scalelab'@'%'"},
		{"a`b", "o'brien", "ON `a``b`.* TO 'o''brien'@'%'"},
		{"x", `back\slash`, `ON ` + "`x`" + `.* TO 'back\\slash'@'%'`},
	} {
		q, args := GrantApp(mariaDB{}, tc.db, tc.user)
		if !strings.HasSuffix(q, tc.want) || len(args) != 0 {
			t.Errorf("GrantApp(%q, %q) = %q %v, want it to end in %q with no args", tc.db, tc.user, q, args, tc.want)
		}
	}
}

func TestErrantMariaDB(t *testing.T) {
	f, _ := Lookup(MariaDB)
	for _, tc := range []struct {
		name, old, current, want string
	}{
		{"same", "0-1-10", "0-1-10", ""},
		{"behind", "0-1-7", "0-1-10,0-2-3", ""},
		{"new primary wrote on", "0-1-10", "0-1-10,0-2-4", ""},
		{"one lost write", "0-1-11", "0-1-10,0-2-4", "0-1-11"},
		{"three lost writes", "0-1-13,0-3-2", "0-1-10,0-2-4,0-3-2", "0-1-11…0-1-13"},
		{"a server the new primary never saw", "0-1-10,1-1-2", "0-1-10", "1-1-1…1-1-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Errant(context.Background(), nil, f, tc.old, tc.current)
			if err != nil || got != tc.want {
				t.Errorf("Errant(%q, %q) = %q, %v; want %q", tc.old, tc.current, got, err, tc.want)
			}
		})
	}
	if _, err := Errant(context.Background(), nil, f, "garbage", "0-1-1"); err == nil {
		t.Error("an unreadable GTID was accepted")
	}
}
