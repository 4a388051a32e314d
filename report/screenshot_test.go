package report

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestScreenshot renders the sample page, takes a screenshot of it in
// headless Chromium with scripts/screenshot-report.sh, and checks that the
// page is not blank and that the charts' colors are on it: an SVG that
// failed to render would leave only text.
func TestScreenshot(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	found := false
	for _, b := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if _, err := exec.LookPath(b); err == nil {
			found = true
			break
		}
	}
	if !found {
		t.Skip("no chromium on PATH, so the page is not checked in a browser: apt-get install -y chromium")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	shot := filepath.Join(dir, "report.png")
	in, err := Decode("bench.json", sampleBenchJSON(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTMLFile(page, Config{Generated: time.Now()}, []Input{{Name: "lab.json", Lab: sampleLab()}, in}); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join("..", "scripts", "screenshot-report.sh"), page)
	cmd.Env = append(os.Environ(), "OUT="+shot, "WIDTH=1280", "HEIGHT=2400", "TMPDIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot-report.sh: %v\n%s", err, out)
	}

	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	if got := img.Bounds().Size(); got != (image.Point{1280, 2400}) {
		t.Errorf("screenshot is %v, want 1280x2400", got)
	}
	inked, series := inkAndSeries(img)
	t.Logf("inked %d, series %d", inked, series)
	total := img.Bounds().Dx() * img.Bounds().Dy()
	// Text, rules, panels and charts cover well over 3% of the page; a
	// blank or unstyled error page does not.
	if frac := float64(inked) / float64(total); frac < 0.03 {
		t.Errorf("only %.2f%% of the screenshot is not white, want at least 3%%", 100*frac)
	}
	// The second series' vermilion appears only in charts (lines, glyphs,
	// bars); the first charts alone draw thousands of its pixels.
	if series < 2000 {
		t.Errorf("got %d pixels of the charts' second series color, want at least 2000: do the SVG charts render?", series)
	}
}

// inkAndSeries counts the pixels that are not (nearly) white, and those
// close to palette[1], the color of every chart's second series.
func inkAndSeries(img image.Image) (inked, series int) {
	r1, g1, b1, _ := palette[1].RGBA()
	near := func(a, b uint32) bool { return max(a, b)-min(a, b) < 40<<8 }
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || b < 0xf000 {
				inked++
			}
			if near(r, r1) && near(g, g1) && near(b, b1) {
				series++
			}
		}
	}
	return inked, series
}
