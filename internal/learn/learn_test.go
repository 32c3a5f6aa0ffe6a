package learn

import (
	"math"
	"testing"
)

func TestLogisticSeparatesAndIsDeterministic(t *testing.T) {
	// y is true when x0 > x1, with a few contradicting rows so the fit is finite.
	var x [][]float64
	var y []bool
	for i := range 200 {
		a, b := float64(i%17)/17, float64(i%13)/13
		x = append(x, []float64{a, b, 0.5})
		y = append(y, (a > b) != (i%29 == 0))
	}
	w1, err := Logistic(x, y, nil, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	w2, _ := Logistic(x, y, nil, 0.01)
	for k := range w1 {
		if w1[k] != w2[k] {
			t.Fatalf("two fits differ: %v %v", w1, w2)
		}
	}
	if !(w1[1] > 1 && w1[2] < -1) {
		t.Errorf("weights %v: want x0 positive, x1 negative", w1)
	}
	if Predict(w1, []float64{0.9, 0.1, 0.5}) < 0.8 || Predict(w1, []float64{0.1, 0.9, 0.5}) > 0.2 {
		t.Errorf("predictions do not follow the rule: %v", w1)
	}
	// An offset is held fixed: a row offset by +100 cannot pull the weights.
	off := make([]float64, len(x))
	off[0] = 100
	w3, _ := Logistic(x, y, off, 0.01)
	if math.Abs(w3[1]-w1[1]) > 0.5 {
		t.Errorf("offset row moved the weights: %v vs %v", w3, w1)
	}
}

func TestChooseL2PrefersLessPenaltyWithSignal(t *testing.T) {
	var x [][]float64
	var y []bool
	var fold []int
	for i := range 300 {
		a := float64(i%10) / 10
		x = append(x, []float64{a})
		y = append(y, (a > 0.45) != (i%11 == 0))
		fold = append(fold, i%5)
	}
	l2, loss, err := ChooseL2(x, y, nil, fold, 5, []float64{0.01, 1000})
	if err != nil || l2 != 0.01 || loss <= 0 {
		t.Errorf("ChooseL2 = %v, %v, %v", l2, loss, err)
	}
}

func TestBootstrapIsSeededAndBracketsTheMean(t *testing.T) {
	vals := make([]float64, 100)
	for i := range vals {
		vals[i] = float64(i % 2)
	}
	mean := func(idx []int) float64 {
		s := 0.0
		for _, i := range idx {
			s += vals[i]
		}
		return s / float64(len(idx))
	}
	a, b := Bootstrap(len(vals), 500, 7, mean), Bootstrap(len(vals), 500, 7, mean)
	if a != b {
		t.Errorf("same seed, different intervals: %v %v", a, b)
	}
	if a.Value != 0.5 || !(a.Lo < 0.5 && a.Hi > 0.5 && a.Lo > 0.3 && a.Hi < 0.7) {
		t.Errorf("interval %+v", a)
	}
	if F1(0, 5, 5) != 0 || math.Abs(F1(5, 5, 5)-0.5) > 1e-12 {
		t.Error("F1")
	}
}

// The pairwise fit is the logistic fit over the rows and their mirror
// images, at half the weight each: the same weights, intercept 0.
func TestLogisticPairwiseIsTheMirroredFit(t *testing.T) {
	var d, x [][]float64
	var y []bool
	var wd, wx []float64
	for i := range 120 {
		row := []float64{float64(i%7)/7 - 0.2, float64(i%5)/5 - 0.5, float64(i%3) - 1}
		if i%9 == 0 {
			row[0] = -row[0] // some pairs against the rule, so the fit is finite
		}
		weight := 1 + float64(i%4)
		neg := []float64{-row[0], -row[1], -row[2]}
		d, wd = append(d, row), append(wd, weight)
		x, y, wx = append(x, row, neg), append(y, true, false), append(wx, weight/2, weight/2)
	}
	want, err := LogisticWeighted(x, y, nil, wx, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LogisticPairwise(d, wd, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-6 {
			t.Fatalf("pairwise %v, mirrored %v", got, want)
		}
	}
	if got[0] != 0 || got[1] <= 0 {
		t.Errorf("weights %v", got)
	}
}
