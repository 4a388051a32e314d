package report

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/scalelab/scalelab/lab"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The size a chart is drawn at. The page scales it to its column, so this
// fixes the aspect ratio and the size of the text relative to the plot.
const (
	chartWidth  = 440 // points
	chartHeight = 270 // points
)

// chartFont is gonum's built-in Liberation Sans; the page's CSS falls back to
// Arial and Helvetica, which have the same metrics, where it is missing.
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// palette is Okabe and Ito's, which color-blind readers can tell apart;
// glyphs tell the series apart in grayscale print.
var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xff}, // blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // vermilion
	color.RGBA{0x00, 0x9E, 0x73, 0xff}, // bluish green
	color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // orange
	color.RGBA{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	color.RGBA{0x33, 0x33, 0x33, 0xff}, // near black
}

var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{},
	draw.RingGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{},
}

var (
	gridColor = color.RGBA{0xe3, 0xe3, 0xe3, 0xff}
	axisColor = color.RGBA{0x55, 0x55, 0x55, 0xff}
	// idealColor draws computed reference lines (lab.Series.Ideal).
	idealColor = color.RGBA{0x88, 0x88, 0x88, 0xff}
)

// Chart kinds of lab.Chart.Kind.
const (
	kindLine = "line"
	kindBar  = "bar"
)

// WriteSVG draws c as a standalone SVG document. A "bar" chart groups its
// series' bars by point Label; any other Kind draws lines over numeric X.
// LogX and LogY are ignored for an axis with a value that is not positive.
// Points with a non-finite value are skipped. It returns an error for a
// chart without any point, and otherwise only w's errors.
func WriteSVG(w io.Writer, c lab.Chart) error {
	canvas, err := drawChart(c)
	if err != nil {
		return err
	}
	_, err = canvas.WriteTo(w)
	return err
}

// errEmptyChart is returned by drawChart for a chart without any finite point.
var errEmptyChart = errors.New("no data")

// inlineSVG draws c as an <svg> element for an HTML page: without the XML
// prolog and namespaces, which HTML does not need, and labelled for screen
// readers.
func inlineSVG(c lab.Chart) (template.HTML, error) {
	canvas, err := drawChart(c)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return "", err
	}
	doc := buf.Bytes()
	start := bytes.Index(doc, []byte("<svg"))
	end := bytes.IndexByte(doc[max(start, 0):], '>')
	if start < 0 || end < 0 {
		return "", fmt.Errorf("draw chart %q: no <svg> element in the plot's output", c.Title)
	}
	w, h := canvas.Size()
	open := fmt.Sprintf(`<svg class="plot" viewBox="0 0 %g %g" role="img" aria-label="%s">`,
		w.Points(), h.Points(), template.HTMLEscapeString(c.Title))
	// gonum escapes every text it writes (html.EscapeString), so the body
	// is safe to inline.
	return template.HTML(open + string(doc[start+end+1:])), nil
}

// drawChart lays out c on an SVG canvas: the plot on the left, its legend on the
// right, or below the plot when the series names are long.
func drawChart(c lab.Chart) (canvas *vgsvg.Canvas, err error) {
	// gonum panics on input it cannot draw; a report shows an error for
	// that chart instead of failing the whole page.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("draw chart %q: %v", c.Title, r)
		}
	}()
	var p *plot.Plot
	var legend plot.Legend
	if c.Kind == kindBar {
		p, legend, err = barPlot(c)
	} else {
		p, legend, err = linePlot(c)
	}
	if err != nil {
		return nil, fmt.Errorf("draw chart %q: %w", c.Title, err)
	}
	canvas = vgsvg.New(chartWidth, chartHeight)
	dc := draw.New(canvas)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())

	const gap = 10
	lr := legend.Rectangle(dc)
	lw, lh := lr.Size().X, lr.Size().Y
	plotArea, legendArea := dc, dc
	if lw <= chartWidth*0.3 {
		plotArea.Max.X -= lw + 2*gap
		legendArea.Min.X = plotArea.Max.X + gap
		legendArea.Max.Y -= 4
	} else {
		// Legend.Draw sets each entry's text on its baseline, so the last
		// one hangs a descent below the height Rectangle reports.
		lh += legend.TextStyle.FontExtents().Descent + 4
		plotArea.Min.Y += lh + gap
		legendArea.Min.X += 40 // about the width of the y axis
		legendArea.Max.Y = legendArea.Min.Y + lh
	}
	p.Draw(plotArea)
	legend.Draw(legendArea)
	return canvas, nil
}

// newPlot returns a plot and legend in the report's style, with c's axis
// labels.
func newPlot(c lab.Chart) (*plot.Plot, plot.Legend) {
	p := plot.New()
	tick := font.From(chartFont, 10)
	label := font.From(chartFont, 11)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Label.Font = tick
		a.Label.TextStyle.Font = label
		a.Label.TextStyle.Color = axisColor
		a.Tick.Label.Color = axisColor
		a.Color = axisColor
		a.Tick.Color = axisColor
		a.Padding = 4
	}
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	legend := plot.NewLegend()
	legend.TextStyle.Font = font.From(chartFont, 10.5)
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = 18
	legend.Padding = 2
	return p, legend
}

// maxGlyphs is the most points of a series drawn with a glyph each.
const maxGlyphs = 24

// linePlot draws each series as a line with a glyph at every point, over
// numeric X.
func linePlot(c lab.Chart) (*plot.Plot, plot.Legend, error) {
	p, legend := newPlot(c)
	var xs, ys []float64
	type line struct {
		name  string
		xys   plotter.XYs
		ideal bool
	}
	var lines []line
	for _, s := range c.Series {
		var xys plotter.XYs
		for _, pt := range s.Points {
			if finite(pt.X) && finite(pt.Y) {
				xys = append(xys, plotter.XY{X: pt.X, Y: pt.Y})
				xs, ys = append(xs, pt.X), append(ys, pt.Y)
			}
		}
		if len(xys) == 0 {
			continue
		}
		slices.SortStableFunc(xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		lines = append(lines, line{s.Name, xys, s.Ideal})
	}
	if len(lines) == 0 {
		return nil, legend, errEmptyChart
	}
	logX := c.LogX && slices.Min(xs) > 0
	logY := c.LogY && slices.Min(ys) > 0

	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridColor, gridColor
	grid.Vertical.Width, grid.Horizontal.Width = 0.6, 0.6
	p.Add(grid)
	i := 0 // measured lines take the palette in turn; ideal lines are gray
	for _, l := range lines {
		ln, pts, err := plotter.NewLinePoints(l.xys)
		if err != nil {
			return nil, legend, err
		}
		ln.Color = palette[i%len(palette)]
		ln.Width = 1.6
		pts.GlyphStyle = draw.GlyphStyle{Color: ln.Color, Radius: 2.6, Shape: glyphs[i%len(glyphs)]}
		if l.ideal {
			// A computed reference: dashed and thin, without glyphs, so that
			// it does not read as a measurement.
			ln.Color, ln.Width, ln.Dashes = idealColor, 1.2, []vg.Length{vg.Points(5), vg.Points(3)}
			p.Add(ln)
			legend.Add(l.name, ln)
			continue
		}
		i++
		if len(l.xys) > maxGlyphs {
			// Glyphs on a dense series hide the line; the legend keeps
			// one, so that the series still tell apart in grayscale.
			p.Add(ln)
		} else {
			p.Add(ln, pts)
		}
		legend.Add(l.name, ln, pts)
	}

	setAxis(&p.X, xs, logX, false)
	setAxis(&p.Y, ys, logY, true)
	if t, ok := valueTicks(xs, logX); ok {
		p.X.Tick.Marker = t
	}
	return p, legend, nil
}

// barPlot draws grouped bars: one group per category (point Label, or X
// when a point has none), one bar per series, each labelled with its value.
func barPlot(c lab.Chart) (*plot.Plot, plot.Legend, error) {
	p, legend := newPlot(c)
	var cats []string
	index := map[string]int{}
	for _, s := range c.Series {
		for _, pt := range s.Points {
			cat := pt.Label
			if cat == "" {
				cat = formatNum(pt.X)
			}
			if _, ok := index[cat]; !ok {
				index[cat] = len(cats)
				cats = append(cats, cat)
			}
		}
	}
	values := make([]plotter.Values, len(c.Series))
	var ys []float64
	for i, s := range c.Series {
		values[i] = make(plotter.Values, len(cats))
		for _, pt := range s.Points {
			cat := pt.Label
			if cat == "" {
				cat = formatNum(pt.X)
			}
			if finite(pt.Y) {
				values[i][index[cat]] = pt.Y
				ys = append(ys, pt.Y)
			}
		}
	}
	if len(ys) == 0 {
		return nil, legend, errEmptyChart
	}
	logY := c.LogY && slices.Min(ys) > 0
	setAxis(&p.Y, ys, logY, true)
	// Room above the tallest bar for its value label.
	if logY {
		p.Y.Max *= 1.5
	} else {
		p.Y.Max += (p.Y.Max - p.Y.Min) * 0.08
	}

	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	grid.Horizontal.Color = gridColor
	grid.Horizontal.Width = 0.6
	p.Add(grid)

	// A bar's width is a length on the canvas, not a data unit: share
	// about 70% of each category's room among the series.
	room := vg.Length(chartWidth-110) / vg.Length(len(cats))
	width := min(room*0.7/vg.Length(len(c.Series)), 34)
	showValues := len(cats)*len(c.Series) <= 24
	// On a log axis a bar cannot start at zero: it stands on an invisible
	// base at the axis minimum.
	var base *plotter.BarChart
	if logY {
		b, err := plotter.NewBarChart(constant(len(cats), p.Y.Min), width)
		if err != nil {
			return nil, legend, err
		}
		base = b
	}
	for i, s := range c.Series {
		vs := values[i]
		if base != nil {
			vs = make(plotter.Values, len(cats))
			for j, v := range values[i] {
				vs[j] = max(v-p.Y.Min, 0)
			}
		}
		bars, err := plotter.NewBarChart(vs, width)
		if err != nil {
			return nil, legend, err
		}
		if base != nil {
			bars.StackOn(base)
		}
		bars.Color = palette[i%len(palette)]
		bars.LineStyle.Width = 0
		bars.Offset = (vg.Length(i) - vg.Length(len(c.Series)-1)/2) * width
		p.Add(bars)
		legend.Add(s.Name, bars)
		if showValues {
			labels, err := valueLabels(values[i], bars.Offset)
			if err != nil {
				return nil, legend, err
			}
			p.Add(labels)
		}
	}
	p.NominalX(cats...)
	// Half a category of room on either side keeps the outer bars, and the
	// grid under them, inside the plot.
	p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
	p.X.Padding = 0
	return p, legend, nil
}

// valueLabels writes each bar's value just above it.
func valueLabels(vs plotter.Values, offset vg.Length) (*plotter.Labels, error) {
	l := plotter.XYLabels{}
	for i, v := range vs {
		l.XYs = append(l.XYs, plotter.XY{X: float64(i), Y: v})
		l.Labels = append(l.Labels, formatNum(v))
	}
	labels, err := plotter.NewLabels(l)
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i] = text.Style{
			Font: font.From(chartFont, 9), Color: axisColor,
			XAlign: draw.XCenter, Handler: labels.TextStyle[i].Handler,
		}
	}
	labels.Offset = vg.Point{X: offset, Y: 2}
	return labels, nil
}

func constant(n int, v float64) plotter.Values {
	vs := make(plotter.Values, n)
	for i := range vs {
		vs[i] = v
	}
	return vs
}

// setAxis sets a's scale, range and tick labels for the values vs. A linear
// value axis (isValue: the y axis) starts at zero, so that bars and lines
// are not exaggerated.
func setAxis(a *plot.Axis, vs []float64, log, isValue bool) {
	lo, hi := slices.Min(vs), slices.Max(vs)
	if log {
		a.Scale = plot.LogScale{}
		a.Tick.Marker = logTicks{}
		a.Min, a.Max = lo, hi
		if isValue {
			// Some room below the smallest value, which a bar needs to
			// show at all.
			a.Min = lo / 1.5
		}
		return
	}
	a.Tick.Marker = humanTicks{plot.DefaultTicks{}}
	if isValue && lo > 0 {
		lo = 0
	}
	a.Min, a.Max = lo, hi
}

// valueTicks marks the data's own x values (concurrency levels, pool
// sizes) when they are few and spread out enough to label each.
func valueTicks(xs []float64, log bool) (plot.Ticker, bool) {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	xs = slices.Compact(xs)
	if len(xs) < 2 || len(xs) > 12 {
		return nil, false
	}
	pos := func(x float64) float64 {
		if log {
			return math.Log(x)
		}
		return x
	}
	span := pos(xs[len(xs)-1]) - pos(xs[0])
	for i := 1; i < len(xs); i++ {
		if pos(xs[i])-pos(xs[i-1]) < span/16 {
			return nil, false
		}
	}
	ticks := make(plot.ConstantTicks, len(xs))
	for i, x := range xs {
		ticks[i] = plot.Tick{Value: x, Label: formatNum(x)}
	}
	return ticks, true
}

// logTicks marks 1 to 9 times every power of ten in range, and labels the
// powers of ten, and twice and five times them too when the range spans
// three decades or fewer. (plot.LogTicks loses the lowest decade to
// rounding when the minimum is below 1.)
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	const eps = 1e-9
	d0 := int(math.Floor(math.Log10(lo) + eps))
	d1 := int(math.Ceil(math.Log10(hi) - eps))
	dense := math.Log10(hi/lo) <= 3
	var ticks []plot.Tick
	for d := d0; d <= d1; d++ {
		for i := 1; i <= 9; i++ {
			v := float64(i) * math.Pow10(d)
			if v < lo*(1-eps) || v > hi*(1+eps) {
				continue
			}
			t := plot.Tick{Value: v}
			if i == 1 || dense && (i == 2 || i == 5) {
				t.Label = formatNum(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// humanTicks relabels another Ticker's labelled ticks with formatNum.
type humanTicks struct{ plot.Ticker }

func (h humanTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := h.Ticker.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = formatNum(ticks[i].Value)
		}
	}
	return ticks
}

// formatNum formats v short and without float noise: 0.25, 1024, 1.5k,
// 25k, 1.2M.
func formatNum(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return trimFloat(v/1e9) + "G"
	case a >= 1e6:
		return trimFloat(v/1e6) + "M"
	case a >= 1e4, a >= 1e3 && math.Mod(a, 100) == 0:
		return trimFloat(v/1e3) + "k"
	}
	return trimFloat(v)
}

// trimFloat formats v with at most 4 significant digits and no trailing
// zeros.
func trimFloat(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
