package learn

import (
	"fmt"
)

// LogisticPairwise fits a pairwise ranking model: each row d is the
// feature difference of a better item minus a worse one, and the fit is
// P(better first) = σ(w·d) by Newton's method with the penalty l2·Σ w_k²,
// each row weighing weight[i] (nil: 1). It returns the weights with a zero
// intercept first, as Logistic does.
//
// It is Logistic over the rows and their mirror images (−d, worse first),
// each at half the weight, whose intercept is 0 by symmetry: half the rows
// and no intercept to solve for, the same weights.
func LogisticPairwise(d [][]float64, weight []float64, l2 float64) ([]float64, error) {
	if len(d) == 0 || weight != nil && len(weight) != len(d) {
		return nil, fmt.Errorf("pairwise logistic: %d rows, %d weights", len(d), len(weight))
	}
	n := len(d[0])
	w := make([]float64, n)
	grad := make([]float64, n)
	hess := make([][]float64, n)
	for k := range hess {
		hess[k] = make([]float64, n)
	}
	for iter := 0; iter < 50; iter++ {
		clear(grad)
		for k := range hess {
			clear(hess[k])
		}
		for i, row := range d {
			p := Sigmoid(dot(w, row))
			g, h := p-1, p*(1-p)
			if weight != nil {
				g, h = g*weight[i], h*weight[i]
			}
			for a, xa := range row {
				grad[a] += g * xa
				ha := h * xa
				hr := hess[a]
				for b := 0; b <= a; b++ {
					hr[b] += ha * row[b]
				}
			}
		}
		change, err := newtonStep(w, grad, hess, l2, 0)
		if err != nil {
			return nil, fmt.Errorf("pairwise logistic: %w", err)
		}
		if change < 1e-8 {
			break
		}
	}
	return append([]float64{0}, w...), nil
}
