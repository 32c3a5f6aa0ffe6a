package web

import (
	"fmt"

	"github.com/repertoire/repertoire/bot"
)

// chart is a stacked bar chart per week, laid out here so the template only
// draws rectangles: SVG that reads without JavaScript, with a title and
// description, and the same figures in a table for screen readers.
type chart struct {
	ID      string
	Title   string
	Desc    string
	Width   int
	Height  int
	Series  []string // legend order
	Classes []string // the CSS class (colour) of each series: s0, s1…
	Bars    []bar
	Axis    []axisLabel
	Max     int
	MaxY    int // y of the max line
	Rows    []chartRow
}

type bar struct {
	X, Y, W, H int
	Class      string
	Label      string // for the rect's <title>
}

type axisLabel struct {
	X, Y int
	Text string
}

type chartRow struct {
	Week   string
	Counts []int
	Total  int
}

const (
	chartW      = 640
	chartH      = 200
	chartLeft   = 36
	chartBottom = 24
	chartTop    = 12
)

func newChart(id, title string, weeks []bot.WeekCount, series, classes []string) chart {
	c := chart{ID: id, Title: title, Width: chartW, Height: chartH, Series: series, Classes: classes}
	for _, w := range weeks {
		row := chartRow{Week: w.Week.Format("2 Jan 2006")}
		for _, s := range series {
			row.Counts = append(row.Counts, w.Counts[s])
			row.Total += w.Counts[s]
		}
		c.Max = max(c.Max, row.Total)
		c.Rows = append(c.Rows, row)
	}
	total := 0
	for _, r := range c.Rows {
		total += r.Total
	}
	c.Desc = fmt.Sprintf("%d weeks, %d in all, at most %d in a week. The table below has the figures.", len(weeks), total, c.Max)
	plotH := chartH - chartBottom - chartTop
	scale := 1.0
	if c.Max > 0 {
		scale = float64(plotH) / float64(c.Max)
	}
	c.MaxY = chartTop
	n := max(len(c.Rows), 1)
	slot := (chartW - chartLeft) / n
	for i, r := range c.Rows {
		x := chartLeft + i*slot + slot/6
		w := slot * 2 / 3
		y := chartH - chartBottom
		for j, v := range r.Counts {
			if v == 0 {
				continue
			}
			h := max(int(float64(v)*scale+0.5), 1)
			y -= h
			c.Bars = append(c.Bars, bar{X: x, Y: y, W: w, H: h, Class: c.Classes[j],
				Label: fmt.Sprintf("week of %s: %d %s", r.Week, v, series[j])})
		}
		if i%2 == 0 || len(c.Rows) <= 6 {
			c.Axis = append(c.Axis, axisLabel{X: x + w/2, Y: chartH - 6, Text: weeks[i].Week.Format("2 Jan")})
		}
	}
	return c
}
