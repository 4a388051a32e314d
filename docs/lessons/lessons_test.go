// Package lessons_test keeps the course honest. TestLessonStructure checks
// that every lesson has the parts a lesson needs, without a server.
// TestLessons runs every ```sh block of every lesson, in order, against
// real servers, and checks that each exits 0 and prints what its
// <!-- expect: … --> comment names. A lesson whose commands stop working
// fails the build.
//
// The lessons take their ports from 29600-29999, a block no other test
// uses (TestBasePortsUnique reads these: BasePort: 29600, BasePort: 29700,
// BasePort: 29800, BasePort: 29900). SCALELAB_TEST_PORT_OFFSET moves them:
// every --base-port in a block is rewritten before the block runs.
package lessons_test

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scalelab/scalelab/internal/dbtest"
)

const (
	// portLow and portHigh bound every --base-port a lesson gives, before
	// any offset; a lab takes up to 30 ports from its base.
	portLow, portHigh = 29600, 29999
	// blockTimeout bounds one shell block; a lesson's blocks are sized to
	// take seconds.
	blockTimeout = 3 * time.Minute
	// workPrefix names each lesson's working dir under the temp dir. It
	// must not start with scalelab-test-: internal/dbtest kills servers
	// under such dirs whose parent is gone, and a sandbox's servers are
	// always orphans once scalelab up has returned.
	workPrefix = "scalelab-lesson-"
)

// lesson is one parsed lesson file.
type lesson struct {
	file      string // base name, such as 01-indexes.md
	title     string // the text of the "# " heading
	question  string // the first paragraph after the title
	blocks    []block
	sections  []string // the "## " headings, in order
	questions []string // the numbered items under "## Questions"
	stray     []int    // lines of expect comments that follow no sh block
}

// block is one ```sh block and what its output must contain.
type block struct {
	line   int // line of the opening fence
	script string
	expect []expectation
}

// expectation is one token of an expect comment: "text" must appear in the
// output as is; /regexp/ must match it.
type expectation struct {
	text string
	re   *regexp.Regexp
}

func (e expectation) String() string {
	if e.re != nil {
		return "/" + e.re.String() + "/"
	}
	return strconv.Quote(e.text)
}

func (e expectation) found(out string) bool {
	if e.re != nil {
		return e.re.MatchString(out)
	}
	return strings.Contains(out, e.text)
}

var (
	expectLine  = regexp.MustCompile(`^<!--\s*expect:(.*?)-->\s*$`)
	expectToken = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|/[^/]+/`)
	numbered    = regexp.MustCompile(`^\d+\.\s+\S`)
	basePort    = regexp.MustCompile(`(--base-port[ =])(\d+)`)
)

// parseExpect reads the tokens of an expect comment's body.
func parseExpect(body string) ([]expectation, error) {
	var out []expectation
	rest := strings.TrimSpace(body)
	for rest != "" {
		loc := expectToken.FindStringIndex(rest)
		if loc == nil || loc[0] != 0 {
			return nil, fmt.Errorf("expect: %q is neither \"text\" nor /regexp/", rest)
		}
		tok := rest[:loc[1]]
		rest = strings.TrimSpace(rest[loc[1]:])
		if tok[0] == '/' {
			re, err := regexp.Compile(tok[1 : len(tok)-1])
			if err != nil {
				return nil, fmt.Errorf("expect: %s: %w", tok, err)
			}
			out = append(out, expectation{re: re})
			continue
		}
		s, err := strconv.Unquote(tok)
		if err != nil {
			return nil, fmt.Errorf("expect: %s: %w", tok, err)
		}
		out = append(out, expectation{text: s})
	}
	return out, nil
}

// parseLesson reads a lesson: its title, its opening question, its shell
// blocks with their expectations, and its questions.
func parseLesson(path string) (*lesson, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l := &lesson{file: filepath.Base(path)}
	lines := strings.Split(string(b), "\n")
	var (
		fence       string // the open fence's info string; "" outside a fence
		cur         *block
		body        []string
		lastClosed  = -1 // index of the line that closed the last sh block
		inQuestions bool
		para        []string
		paraDone    bool
	)
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if trimmed == "```" {
				if cur != nil {
					cur.script = strings.Join(body, "\n") + "\n"
					l.blocks = append(l.blocks, *cur)
					lastClosed = i
				}
				fence, cur, body = "", nil, nil
				continue
			}
			if cur != nil {
				body = append(body, line)
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") {
			fence = strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
			if fence == "" {
				fence = "text"
			}
			if fence == "sh" {
				cur = &block{line: i + 1}
			}
			paraDone = paraDone || l.title != ""
			continue
		}
		if m := expectLine.FindStringSubmatch(trimmed); m != nil {
			// It belongs to the sh block just closed, with only blank
			// lines between.
			prev := i - 1
			for prev > lastClosed && strings.TrimSpace(lines[prev]) == "" {
				prev--
			}
			if lastClosed < 0 || prev != lastClosed {
				l.stray = append(l.stray, i+1)
				continue
			}
			exp, err := parseExpect(m[1])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", l.file, i+1, err)
			}
			last := &l.blocks[len(l.blocks)-1]
			last.expect = append(last.expect, exp...)
			continue
		}
		switch {
		case strings.HasPrefix(line, "# ") && l.title == "":
			l.title = strings.TrimSpace(line[2:])
			continue
		case strings.HasPrefix(line, "## "):
			h := strings.TrimSpace(line[3:])
			l.sections = append(l.sections, h)
			inQuestions = h == "Questions"
			paraDone = true
			continue
		}
		if l.title != "" && !paraDone {
			if trimmed == "" {
				paraDone = len(para) > 0
			} else {
				para = append(para, trimmed)
			}
		}
		if inQuestions && numbered.MatchString(line) {
			l.questions = append(l.questions, strings.TrimSpace(line))
		}
	}
	if fence != "" {
		return nil, fmt.Errorf("%s: a ``` fence is never closed", l.file)
	}
	l.question = strings.Join(para, " ")
	return l, nil
}

// lessonFiles lists the lessons in course order: NN-name.md, by name.
func lessonFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("[0-9][0-9]-*.md")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

func loadLessons(t *testing.T) []*lesson {
	t.Helper()
	var out []*lesson
	for _, f := range lessonFiles(t) {
		l, err := parseLesson(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// TestLessonStructure checks, without a server, that every lesson has
// what a lesson promises: a title, the question it answers as its first
// paragraph, shell blocks with expectations, a sandbox it starts on ports
// of its own and stops, and two or three questions at the end; and that
// the course index and the README link the lessons.
func TestLessonStructure(t *testing.T) {
	lessons := loadLessons(t)
	if len(lessons) < 7 {
		t.Errorf("got %d lessons, want at least 7", len(lessons))
	}
	upDir := regexp.MustCompile(`scalelab up\b.*--dir[ =](\S+)`)
	for _, l := range lessons {
		t.Run(l.file, func(t *testing.T) {
			if l.title == "" {
				t.Error("no # title")
			}
			if !strings.HasSuffix(l.question, "?") {
				t.Errorf("first paragraph %q: want the question the lesson answers, ending in ?", l.question)
			}
			if len(l.blocks) == 0 {
				t.Error("no ```sh block")
			}
			n := 0
			for _, b := range l.blocks {
				n += len(b.expect)
			}
			if n == 0 {
				t.Error("no <!-- expect: … --> after any sh block")
			}
			for _, line := range l.stray {
				t.Errorf("line %d: an expect comment must follow a ```sh block", line)
			}
			if len(l.sections) == 0 || l.sections[len(l.sections)-1] != "Questions" {
				t.Errorf("sections %q: want ## Questions last", l.sections)
			}
			if len(l.questions) < 2 || len(l.questions) > 3 {
				t.Errorf("got %d numbered questions under ## Questions, want 2 or 3", len(l.questions))
			}
			var all strings.Builder
			for _, b := range l.blocks {
				all.WriteString(b.script)
			}
			script := all.String()
			for _, line := range strings.Split(script, "\n") {
				if (strings.Contains(line, "scalelab up ") || strings.Contains(line, "scalelab lab ")) && !basePort.MatchString(line) {
					t.Errorf("%q: give --base-port, so that the test can move the ports", strings.TrimSpace(line))
				}
			}
			for _, m := range basePort.FindAllStringSubmatch(script, -1) {
				if p, _ := strconv.Atoi(m[2]); p < portLow || p+30 > portHigh+1 {
					t.Errorf("--base-port %d: want %d to %d, the lessons' block", p, portLow, portHigh-29)
				}
			}
			for _, m := range upDir.FindAllStringSubmatch(script, -1) {
				down := regexp.MustCompile(`scalelab down\b.*--dir[ =]` + regexp.QuoteMeta(m[1]) + `\b.*--purge|scalelab down\b.*--purge.*--dir[ =]` + regexp.QuoteMeta(m[1]) + `\b`)
				if !down.MatchString(script) {
					t.Errorf("scalelab up --dir %s: no scalelab down --dir %s --purge at the end", m[1], m[1])
				}
			}
		})
	}

	index, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`\]\(([^)#]+\.md)\)`)
	var linked []string
	for _, m := range link.FindAllStringSubmatch(string(index), -1) {
		if _, err := os.Stat(m[1]); err != nil {
			t.Errorf("README.md links %s: %v", m[1], err)
		}
		if filepath.Base(m[1]) == m[1] {
			linked = append(linked, m[1])
		}
	}
	if files := lessonFiles(t); !slices.Equal(linked, files) {
		t.Errorf("README.md lists lessons %q, want every lesson in order: %q", linked, files)
	}
	for _, l := range lessons {
		if !strings.Contains(string(index), l.question) {
			t.Errorf("README.md does not give %s's question as the lesson does: %q", l.file, l.question)
		}
	}

	top, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.SplitN(string(top), "\n", 13); !strings.Contains(strings.Join(lines[:min(12, len(lines))], "\n"), "docs/lessons") {
		t.Error("the repository's README does not link docs/lessons in its opening lines")
	}
}

func TestParseExpect(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
		err        bool
	}{
		{"text", ` "rows examined" "Verdict:" `, []string{`"rows examined"`, `"Verdict:"`}, false},
		{"escaped quote", ` "say \"hi\"" `, []string{`"say \"hi\""`}, false},
		{"regexp", ` /plan: +scatter/ "x" `, []string{`/plan: +scatter/`, `"x"`}, false},
		{"bare word", ` rows `, nil, true},
		{"bad regexp", ` /a(/ `, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseExpect(tc.body)
			if (err != nil) != tc.err {
				t.Fatalf("got error %v, want error %v", err, tc.err)
			}
			var s []string
			for _, e := range got {
				s = append(s, e.String())
			}
			if !slices.Equal(s, tc.want) {
				t.Errorf("got %q, want %q", s, tc.want)
			}
		})
	}
}

// TestLessons runs every lesson against real servers: each ```sh block
// with bash -euo pipefail, in a working dir of the lesson's own, in order.
// A block must exit 0 and print everything its expect comment names; the
// first block that does not fails the lesson, with its output.
func TestLessons(t *testing.T) {
	lessons := loadLessons(t)
	dbtest.RequireServer(t)
	if n := reapOrphans(); n > 0 {
		t.Logf("stopped %d process(es) left by an earlier run of this test", n)
	}
	bin := buildCLI(t)
	offset, _ := strconv.Atoi(os.Getenv(dbtest.EnvPortOffset))
	start := time.Now()
	for _, l := range lessons {
		t.Run(strings.TrimSuffix(l.file, ".md"), func(t *testing.T) {
			runLesson(t, bin, l, offset)
		})
	}
	t.Logf("all lessons: %.1fs", time.Since(start).Seconds())
}

// buildCLI builds scalelab into a temp dir and returns that dir, for PATH.
func buildCLI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "scalelab"), "./cmd/scalelab")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/scalelab: %v\n%s", err, out)
	}
	return dir
}

func runLesson(t *testing.T, bin string, l *lesson, offset int) {
	work, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", workPrefix, os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	// Labs put their sandboxes under TMPDIR: inside the working dir, they
	// are found and stopped with the lesson's own.
	tmp := filepath.Join(work, ".tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopAll(t, bin, work) })
	logs := t.TempDir()
	env := blockEnv(bin, tmp)
	start := time.Now()
	for _, b := range l.blocks {
		script := basePort.ReplaceAllStringFunc(b.script, func(s string) string {
			m := basePort.FindStringSubmatch(s)
			p, _ := strconv.Atoi(m[2])
			return m[1] + strconv.Itoa(p+offset)
		})
		began := time.Now()
		out, err := runBlock(work, logs, env, script, blockTimeout)
		took := time.Since(began)
		var missing []string
		for _, e := range b.expect {
			if !e.found(out) {
				missing = append(missing, e.String())
			}
		}
		if err != nil || len(missing) > 0 {
			why := fmt.Sprintf("output lacks %s", strings.Join(missing, ", "))
			if err != nil {
				why = err.Error()
			}
			t.Fatalf("%s:%d: %s (after %.1fs)\n--- block:\n%s--- output:\n%s", l.file, b.line, why, took.Seconds(), script, out)
		}
		t.Logf("%s:%d: ok in %.1fs", l.file, b.line, took.Seconds())
	}
	t.Logf("%s: %d blocks in %.1fs", l.file, len(l.blocks), time.Since(start).Seconds())
}

// blockEnv is the environment of a block: scalelab on PATH first, TMPDIR
// inside the working dir, and no sandbox named by the user's environment.
func blockEnv(bin, tmp string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PATH", "TMPDIR", "SCALELAB_DIR", "SCALELAB_TOPOLOGY":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "TMPDIR="+tmp)
}

// runBlock runs script with bash -euo pipefail in dir and returns its
// stdout and stderr together, which go through a file in logDir: unlike a
// pipe, a file does not keep the wait going while something the block
// left in the background holds it. When bash exits, the block's process
// group is killed, so nothing the block started in the background
// outlives it; the servers scalelab starts run in sessions of their own.
// Past timeout it interrupts the process group first (a lab stops its
// sandboxes on Ctrl-C).
func runBlock(dir, logDir string, env []string, script string, timeout time.Duration) (string, error) {
	f, err := os.CreateTemp(logDir, "block-*.log")
	if err != nil {
		return "", err
	}
	defer f.Close()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		done <- err
	}()
	output := func() string {
		b, _ := os.ReadFile(f.Name())
		return string(b)
	}
	select {
	case err := <-done:
		return output(), err
	case <-time.After(timeout):
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	return output(), fmt.Errorf("timed out after %v", timeout)
}

// stopAll stops every sandbox under work with scalelab down --purge, kills
// by pid whatever still runs from under work (a server whose sandbox state
// was lost, a relay), and removes work.
func stopAll(t *testing.T, bin, work string) {
	var dirs []string
	_ = filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "state.json" {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	for _, d := range dirs {
		cmd := exec.Command(filepath.Join(bin, "scalelab"), "down", "--purge", "--dir", d)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("scalelab down --purge --dir %s: %v\n%s", d, err, out)
		}
	}
	// After a lesson that passed, scalelab down must have stopped
	// everything; after one that failed (a block cut off by its timeout),
	// leftovers are expected.
	if n := killUnder(work); n > 0 && !t.Failed() {
		t.Errorf("killed %d process(es) still running from %s after scalelab down", n, work)
	}
	if err := os.RemoveAll(work); err != nil {
		t.Logf("remove %s: %v", work, err)
	}
}

// killUnder kills every process whose command line names a path under
// dir, waits for them to go, and returns how many there were.
func killUnder(dir string) int {
	return killWhere(func(pid int, cmdline string) bool {
		return strings.Contains(cmdline, dir+string(filepath.Separator))
	})
}

// reapOrphans cleans up after an earlier run of this test that died
// before its cleanups ran (a timeout, a kill -9): it kills the processes
// running from a lesson working dir whose test process is gone, and
// removes those dirs. It returns how many processes it killed.
func reapOrphans() int {
	marker := filepath.Join(os.TempDir(), workPrefix)
	orphaned := func(path string) bool {
		owner, _, _ := strings.Cut(strings.TrimPrefix(path, marker), "-")
		p, err := strconv.Atoi(owner)
		return err == nil && p != os.Getpid() && !running(p)
	}
	n := killWhere(func(pid int, cmdline string) bool {
		i := strings.Index(cmdline, marker)
		return i >= 0 && orphaned(cmdline[i:])
	})
	dirs, _ := filepath.Glob(marker + "*")
	for _, d := range dirs {
		if orphaned(d) {
			_ = os.RemoveAll(d)
		}
	}
	return n
}

func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// killWhere sends SIGKILL to every process match selects by pid and
// command line, waits up to 10s for them to go, and returns how many it
// killed.
func killWhere(match func(pid int, cmdline string) bool) int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(b) == 0 {
			continue
		}
		if match(pid, strings.ReplaceAll(string(b), "\x00", " ")) {
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for time.Now().Before(deadline) && !gone(pid) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return len(pids)
}

// gone reports whether pid has exited (a zombie counts as gone).
func gone(pid int) bool {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	i := strings.LastIndexByte(line, ')')
	return i < 0 || i+2 >= len(line) || line[i+2] == 'Z'
}
