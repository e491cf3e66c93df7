package train

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/backprop-go/backprop/layers"
)

// TestHooksSeeEveryUpdate checks the order and the content of the calls:
// Gradients sees the gradients before the step, Updated sees the new
// weights, Evaluated sees the predictions behind the reported error, and a
// run with hooks is the same run, to the last bit, as one without.
func TestHooksSeeEveryUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	x, y := blobs(rng, 300, 8, 4)
	vx, vy := blobs(rand.New(rand.NewPCG(9, 0)), 100, 8, 4)
	build := func() *layers.Sequential {
		return layers.NewMLP([]int{8, 16, 4}, layers.He, rand.New(rand.NewPCG(1, 1)))
	}
	cfg := Config{LR: 0.1, Epochs: 2, EvalEvery: 7}

	plain, err := Run(build(), &slices{x: x, y: y, batch: 32}, &Set{X: vx, Y: vy}, cfg)
	if err != nil {
		t.Fatal(err)
	}

	var calls []string
	var before float64
	steps, evals := 0, 0
	cfg.Hooks = []Hook{{
		Gradients: func(u *StepInfo) {
			calls = append(calls, "g")
			g := u.Model.Params()[0].Grad.Data
			nonzero := false
			for _, v := range g {
				nonzero = nonzero || v != 0
			}
			if !nonzero {
				t.Fatalf("update %d: Gradients hook saw all-zero gradients", u.Update)
			}
			before = u.Model.Params()[0].Value.Data[0]
		},
		Updated: func(u *StepInfo) {
			calls = append(calls, "u")
			steps++
			if u.Update != steps || u.X.Rows() != len(u.Y) || u.LR != 0.1 {
				t.Fatalf("update %d: StepInfo %+v", steps, u)
			}
			// The step moved the weight by −lr·g, and zeroed the gradient.
			if u.Model.Params()[0].Value.Data[0] == before && u.Model.Params()[0].Grad.Data[0] != 0 {
				t.Fatalf("update %d: Updated hook ran before the step", u.Update)
			}
		},
		Evaluated: func(e *EvalInfo) {
			calls = append(calls, "e")
			evals++
			wrong := 0
			for i, p := range e.Pred {
				if p != e.Set.Y[i] {
					wrong++
				}
			}
			if len(e.Pred) != len(vy) || float64(wrong)/float64(len(vy)) != e.Error {
				t.Fatalf("update %d: %d predictions with %d wrong, reported error %g", e.Update, len(e.Pred), wrong, e.Error)
			}
		},
	}, {}} // an empty Hook is allowed
	hooked, err := Run(build(), &slices{x: x, y: y, batch: 32}, &Set{X: vx, Y: vy}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if steps != len(hooked.Train) || evals != len(hooked.Val) {
		t.Fatalf("%d update and %d evaluation calls for %d updates and %d evaluations", steps, evals, len(hooked.Train), len(hooked.Val))
	}
	if fmt.Sprint(calls[:5]) != "[g u g u g]" {
		t.Fatalf("calls start %v, want g u g u g …", calls[:5])
	}
	var a, b bytes.Buffer
	plain.WriteCSV(&a)
	hooked.WriteCSV(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("hooks changed the run: the histories differ")
	}
}
