package optim_test

import (
	"fmt"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/tensor"
)

// quadratic is L(θ) = ½ Σ hᵢ θᵢ², a valley that is steep in the first
// direction (h = 10) and flat in the second (h = 0.1); it writes the
// gradient hᵢ θᵢ into p.Grad and returns L.
func quadratic(p *layers.Param) float64 {
	h := []float64{10, 0.1}
	l := 0.0
	for i, th := range p.Value.Data {
		p.Grad.Data[i] = h[i] * th
		l += h[i] * th * th / 2
	}
	return l
}

// Four optimisers minimise the same narrow valley from the same start for 50
// steps. Plain SGD at a rate that the steep direction allows (η h < 2)
// crawls along the flat one (each step shrinks θ₂ by only 1 − η h = 0.99);
// momentum builds up speed there and ends a hundred times lower; Adam scales
// each direction by the size of its own gradients.
func Example() {
	for _, opt := range []optim.Optimizer{
		&optim.SGD{LR: 0.1},
		&optim.SGD{LR: 0.1, Momentum: 0.8},
		&optim.SGD{LR: 0.1, Momentum: 0.8, Nesterov: true},
		optim.NewAdam(0.1),
	} {
		p := &layers.Param{Name: "θ", Value: tensor.FromData([]float64{1, 1}, 1, 2), Grad: tensor.New(1, 2)}
		for step := 0; step < 50; step++ {
			quadratic(p)
			opt.Step([]*layers.Param{p}) // update, then zero the gradient
		}
		fmt.Printf("%-36v loss after 50 steps %.5f\n", opt, quadratic(p))
	}
	// Output:
	// SGD(lr 0.1)                          loss after 50 steps 0.01830
	// SGD(lr 0.1, momentum 0.8)            loss after 50 steps 0.00015
	// SGD(lr 0.1, momentum 0.8, Nesterov)  loss after 50 steps 0.00013
	// Adam(lr 0.1)                         loss after 50 steps 0.00012
}

// A schedule is a function of the update number. This one warms up linearly
// for 3 updates and then follows a cosine from 0.1 down to 0 over 5.
func ExampleWarmup() {
	s := optim.Warmup(3, optim.Cosine(0.1, 0, 5))
	for t := 1; t <= 9; t++ {
		fmt.Printf("%.4f ", s(t))
	}
	fmt.Println()
	// Output:
	// 0.0333 0.0667 0.1000 0.1000 0.0905 0.0655 0.0345 0.0095 0.0000
}

// AdamW's first step is a sign step of size η for every element, whatever
// the gradient's scale (the bias correction at work), after shrinking the
// weights by 1 − ηλ.
func ExampleNewAdamW() {
	opt := optim.NewAdamW(0.01, 0.1)
	p := &layers.Param{Name: "w", Value: tensor.FromData([]float64{1, 1, 1}, 1, 3),
		Grad: tensor.FromData([]float64{1000, -0.001, 0}, 1, 3)}
	opt.Step([]*layers.Param{p})
	fmt.Printf("%.6f\n", p.Value.Data)
	// Output:
	// [0.989000 1.009000 0.999000]
}
