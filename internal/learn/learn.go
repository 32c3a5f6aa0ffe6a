// Package learn holds the small, deterministic pieces the evaluation tools
// use to fit and judge the project's models: an L2-penalised logistic
// regression fitted by Newton's method, k-fold assignment, and percentile
// bootstrap intervals. Nothing here is random unless seeded by the caller,
// so a training command gives the same weights on every run.
package learn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Logistic fits P(y) = σ(offset + w0 + Σ w_k x_k) by Newton's method with
// an L2 penalty l2·Σ w_k² (the intercept is not penalised). offset (nil for
// none) holds each row's fixed part of the log-odds, set by hand. It
// returns the weights, intercept first.
func Logistic(x [][]float64, y []bool, offset []float64, l2 float64) ([]float64, error) {
	return LogisticWeighted(x, y, offset, nil, l2)
}

// LogisticWeighted is Logistic with a weight per row (nil: each row 1),
// so that a question with many rows counts no more than one with few.
func LogisticWeighted(x [][]float64, y []bool, offset, weight []float64, l2 float64) ([]float64, error) {
	if len(x) == 0 || len(x) != len(y) || weight != nil && len(weight) != len(x) {
		return nil, fmt.Errorf("logistic: %d rows, %d labels, %d weights", len(x), len(y), len(weight))
	}
	d := len(x[0]) + 1
	w := make([]float64, d)
	row := make([]float64, d)
	for iter := 0; iter < 50; iter++ {
		grad := make([]float64, d)
		hess := make([][]float64, d)
		for k := range hess {
			hess[k] = make([]float64, d)
		}
		for i, xi := range x {
			row[0] = 1
			copy(row[1:], xi)
			z := dot(w, row)
			if offset != nil {
				z += offset[i]
			}
			p := Sigmoid(z)
			t := 0.0
			if y[i] {
				t = 1
			}
			g, h := p-t, p*(1-p)
			if weight != nil {
				g, h = g*weight[i], h*weight[i]
			}
			for a := range d {
				grad[a] += g * row[a]
				for b := 0; b <= a; b++ {
					hess[a][b] += h * row[a] * row[b]
				}
			}
		}
		hess[0][0] += 1e-9 // the intercept is not penalised
		change, err := newtonStep(w, grad, hess, l2, 1)
		if err != nil {
			return nil, fmt.Errorf("logistic: %w", err)
		}
		if change < 1e-8 {
			break
		}
	}
	return w, nil
}

// newtonStep completes one Newton step of a penalised logistic fit and
// applies it to w: hess holds the lower triangle of the loss's Hessian and
// grad its gradient at w; the penalty l2·Σ w_k² is added for k ≥ from (the
// weights before from, an intercept, go unpenalised). It returns the
// largest change of a weight.
func newtonStep(w, grad []float64, hess [][]float64, l2 float64, from int) (float64, error) {
	for a := range w {
		for b := 0; b < a; b++ {
			hess[b][a] = hess[a][b]
		}
		if a >= from {
			grad[a] += 2 * l2 * w[a]
			hess[a][a] += 2 * l2
		}
	}
	step, err := solve(hess, grad)
	if err != nil {
		return 0, err
	}
	change := 0.0
	for a := range w {
		w[a] -= step[a]
		change = math.Max(change, math.Abs(step[a]))
	}
	return change, nil
}

// Predict is σ(w·(1, x)).
func Predict(w, x []float64) float64 { return Sigmoid(Logit(w, x)) }

// Logit is w0 + Σ w_k x_k.
func Logit(w, x []float64) float64 {
	z := w[0]
	for k, v := range x {
		z += w[k+1] * v
	}
	return z
}

// Sigmoid is 1/(1+e^-z).
func Sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solve solves A x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(slices.Clone(a[i]), b[i])
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return nil, errors.New("singular system (a feature that never varies needs a penalty)")
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}

// LogLoss is the mean negative log-likelihood of the labels under w and
// the offsets (nil for none).
func LogLoss(w []float64, x [][]float64, y []bool, offset []float64) float64 {
	s := 0.0
	for i, xi := range x {
		z := Logit(w, xi)
		if offset != nil {
			z += offset[i]
		}
		p := math.Min(math.Max(Sigmoid(z), 1e-12), 1-1e-12)
		if y[i] {
			s -= math.Log(p)
		} else {
			s -= math.Log(1 - p)
		}
	}
	return s / float64(max(len(x), 1))
}

// ChooseL2 picks, among the penalties given, the one with the lowest
// k-fold cross-validated log loss on (x, y), rows assigned to folds by
// fold[i]. It returns the penalty and its loss.
func ChooseL2(x [][]float64, y []bool, offset []float64, fold []int, k int, grid []float64) (float64, float64, error) {
	best, bestLoss := grid[0], math.Inf(1)
	for _, l2 := range grid {
		loss, n := 0.0, 0
		for f := range k {
			var tx, vx [][]float64
			var ty, vy []bool
			var to, vo []float64
			for i := range x {
				o := 0.0
				if offset != nil {
					o = offset[i]
				}
				if fold[i] == f {
					vx, vy, vo = append(vx, x[i]), append(vy, y[i]), append(vo, o)
				} else {
					tx, ty, to = append(tx, x[i]), append(ty, y[i]), append(to, o)
				}
			}
			if len(vx) == 0 || len(tx) == 0 {
				continue
			}
			w, err := Logistic(tx, ty, to, l2)
			if err != nil {
				return 0, 0, err
			}
			loss += LogLoss(w, vx, vy, vo) * float64(len(vx))
			n += len(vx)
		}
		if n > 0 && loss/float64(n) < bestLoss {
			best, bestLoss = l2, loss/float64(n)
		}
	}
	return best, bestLoss, nil
}

// Interval is a figure with its 95% percentile-bootstrap interval.
type Interval struct{ Value, Lo, Hi float64 }

// Bootstrap resamples n units (questions, threads, dialogs) with
// replacement reps times, seeded, and returns stat on all units with the
// 2.5th and 97.5th percentiles of stat over the resamples. stat gets the
// multiset of unit indexes.
func Bootstrap(n, reps int, seed uint64, stat func(idx []int) float64) Interval {
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	out := Interval{Value: stat(all)}
	if n == 0 {
		return out
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vals := make([]float64, reps)
	idx := make([]int, n)
	for b := range reps {
		for i := range idx {
			idx[i] = r.IntN(n)
		}
		vals[b] = stat(idx)
	}
	slices.Sort(vals)
	out.Lo = vals[int(0.025*float64(reps))]
	out.Hi = vals[min(reps-1, int(0.975*float64(reps)))]
	return out
}

// Pct prints the figure and interval as percentages.
func (iv Interval) Pct() string {
	return fmt.Sprintf("%5.1f%% [%5.1f, %5.1f]", 100*iv.Value, 100*iv.Lo, 100*iv.Hi)
}

// Dec prints the figure and interval with four decimals.
func (iv Interval) Dec() string {
	return fmt.Sprintf("%.4f [%.4f, %.4f]", iv.Value, iv.Lo, iv.Hi)
}

// F1 is the F1 of the counts.
func F1(tp, fp, fn float64) float64 {
	if tp == 0 {
		return 0
	}
	p, r := tp/(tp+fp), tp/(tp+fn)
	return 2 * p * r / (p + r)
}
