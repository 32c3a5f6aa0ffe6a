package web

import (
	"testing"
	"time"

	"github.com/repertoire/repertoire/bot"
)

// TestChartStacksWeeksToScale: bars stack each week's series in order, the
// tallest week fills the plot, an empty week draws nothing, and the table
// holds the same figures.
func TestChartStacksWeeksToScale(t *testing.T) {
	monday := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	weeks := []bot.WeekCount{
		{Week: monday, Counts: map[string]int{"tip": 3, "solution": 1}},
		{Week: monday.AddDate(0, 0, 7), Counts: map[string]int{}},
		{Week: monday.AddDate(0, 0, 14), Counts: map[string]int{"solution": 2}},
	}
	c := newChart("g", "Growth", weeks, []string{"tip", "solution"}, []string{"s0", "s1"})
	if c.Max != 4 || len(c.Rows) != 3 || c.Rows[0].Total != 4 || c.Rows[1].Total != 0 || c.Rows[2].Counts[1] != 2 {
		t.Fatalf("figures: max %d rows %+v", c.Max, c.Rows)
	}
	if len(c.Bars) != 3 {
		t.Fatalf("bars: %+v", c.Bars)
	}
	plot := chartH - chartBottom - chartTop
	tip, sol := c.Bars[0], c.Bars[1]
	if tip.Class != "s0" || sol.Class != "s1" || tip.H+sol.H < plot-1 || tip.Y+tip.H != chartH-chartBottom || sol.Y+sol.H != tip.Y {
		t.Errorf("first week's stack: %+v %+v", tip, sol)
	}
	if half := c.Bars[2].H; half < plot/2-1 || half > plot/2+1 {
		t.Errorf("2 of 4 should be half the plot (%d): %d", plot, half)
	}
	if c.Bars[0].Label != "week of 2 Nov 2026: 3 tip" {
		t.Errorf("label %q", c.Bars[0].Label)
	}
}
