package conv

// The hidden checks of kit grade: one test per part, TestGrade_X for part X,
// each made of checks worth points. Inputs are drawn from hiddenSeed, which
// students never see; references come from the library's Conv2d and
// MaxPool2d. Part c2 is checked with the library's forward pass, so it is
// graded on its own; c4 calls the student's Forward (c3) first, as the
// layer's Backward needs what its Forward kept. grader_test.go holds the
// machinery: the seed, the tolerances, the line each check prints.

import (
	"fmt"
	"math"
	"testing"

	"github.com/backprop-go/backprop/gradcheck"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/tensor"
)

// nanTensor returns a tensor of shape filled with NaN: what a function
// must overwrite, never read.
func nanTensor(shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	t.Fill(math.NaN())
	return t
}

// convCase is one geometry of the checks: c→f channels, k×k filters,
// stride s, padding p, on n images of h×w pixels.
type convCase struct{ n, c, f, k, s, p, h, w int }

func (c convCase) String() string {
	return fmt.Sprintf("%d×%d filters %d→%d channels, stride %d, padding %d, on %d×%d×%d×%d", c.k, c.k, c.c, c.f, c.s, c.p, c.n, c.c, c.h, c.w)
}

func TestGrade_c1(t *testing.T) {
	g := newGrader(t, "c1")
	for _, c := range []struct {
		convCase
		points int
	}{
		{convCase{2, 3, 4, 3, 1, 0, 5, 5}, 6},
		{convCase{2, 2, 3, 3, 1, 1, 6, 5}, 4},
		{convCase{3, 3, 2, 3, 2, 1, 7, 5}, 4},
		{convCase{1, 2, 2, 2, 3, 2, 8, 9}, 3},
	} {
		l := newConvLayer(g.rng, c.c, c.f, c.k, c.s, c.p)
		x := tensor.RandNormal(g.rng, 0, 1, c.n, c.c, c.h, c.w)
		g.check("y = X ⋆ W + b, "+c.String(), c.points, func() error {
			want := l.lib.Forward(x).Clone()
			geo := l.geom(x)
			y := nanTensor(want.Shape...) // y is written, never read
			convForwardNaive(geo, x.Data, l.lib.W.Value.Data, l.lib.B.Value.Data, y.Data)
			return closeTo("y", y, want, valueTol)
		})
	}
	g.check("forward leaves X, W and b unchanged", 3, func() error {
		l := newConvLayer(g.rng, 2, 3, 3, 2, 1)
		x := tensor.RandNormal(g.rng, 0, 1, 2, 2, 5, 5)
		x0, w0, b0 := x.Clone(), l.lib.W.Value.Clone(), l.lib.B.Value.Clone()
		l.Forward(x)
		for _, c := range []struct {
			name      string
			got, want *tensor.Tensor
		}{{"X", x, x0}, {"W", l.lib.W.Value, w0}, {"b", l.lib.B.Value, b0}} {
			if err := closeTo(c.name, c.got, c.want, 0); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestGrade_c2(t *testing.T) {
	g := newGrader(t, "c2")
	for _, c := range []struct {
		convCase
		points int
	}{
		{convCase{2, 2, 3, 3, 1, 0, 5, 5}, 8},
		{convCase{2, 2, 3, 3, 2, 1, 7, 5}, 8},
	} {
		l := newConvLayer(g.rng, c.c, c.f, c.k, c.s, c.p)
		l.libForward = true
		x := tensor.RandNormal(g.rng, 0, 1, c.n, c.c, c.h, c.w)
		g.check("gradient check of X, W and b, "+c.String(), c.points, func() error {
			return gradOK(c.String(), gradcheck.Layer(l, x, gradcheck.Options{Seed: hiddenSeed}), gradTol)
		})
	}
	c := convCase{2, 3, 2, 3, 2, 2, 7, 6}
	l := newConvLayer(g.rng, c.c, c.f, c.k, c.s, c.p)
	x := tensor.RandNormal(g.rng, 0, 1, c.n, c.c, c.h, c.w)
	dy := tensor.RandNormal(g.rng, 0, 1, l.lib.Forward(x).Shape...)
	wantDX := l.lib.Backward(dy).Clone()
	wantDW, wantDB := l.lib.W.Grad.Clone(), l.lib.B.Grad.Clone()
	geo := l.geom(x)
	var dx, dw, db *tensor.Tensor
	g.check("∂L/∂X = Σ δ W (eq. C4), "+c.String()+"; dx held NaN before", 5, func() error {
		x1, w1, b1 := nanTensor(x.Shape...), tensor.New(wantDW.Shape...), tensor.New(wantDB.Shape...)
		convBackwardNaive(geo, x.Data, l.lib.W.Value.Data, dy.Data, x1.Data, w1.Data, b1.Data)
		dx, dw, db = x1, w1, b1
		return closeTo("∂L/∂X", dx, wantDX, valueTol)
	})
	g.check("∂L/∂W = Σ δ X̃ (eq. C3), same case", 4, func() error {
		if dw == nil {
			return fmt.Errorf("not checked: convBackwardNaive failed above")
		}
		return closeTo("∂L/∂W", dw, wantDW, valueTol)
	})
	g.check("∂L/∂b = Σ δ (eq. C2), same case", 2, func() error {
		if db == nil {
			return fmt.Errorf("not checked: convBackwardNaive failed above")
		}
		return closeTo("∂L/∂b", db, wantDB, valueTol)
	})
	g.check("backward adds to ∂L/∂W and ∂L/∂b (a second call doubles them)", 3, func() error {
		dw, db := tensor.New(wantDW.Shape...), tensor.New(wantDB.Shape...)
		for i := 0; i < 2; i++ {
			convBackwardNaive(geo, x.Data, l.lib.W.Value.Data, dy.Data, tensor.New(x.Shape...).Data, dw.Data, db.Data)
		}
		for _, t := range []*tensor.Tensor{wantDW, wantDB} {
			for i := range t.Data {
				t.Data[i] *= 2
			}
		}
		if err := closeTo("∂L/∂W after two calls", dw, wantDW, valueTol); err != nil {
			return err
		}
		return closeTo("∂L/∂b after two calls", db, wantDB, valueTol)
	})
}

// poolCase is one max pooling of the checks: k×k windows every s pixels on
// n×c images of h×w pixels.
type poolCase struct{ n, c, k, s, h, w int }

func (c poolCase) String() string {
	return fmt.Sprintf("%d×%d windows, stride %d, on %d×%d×%d×%d", c.k, c.k, c.s, c.n, c.c, c.h, c.w)
}

// ties returns a tensor of shape whose entries are 0, 1 or 2, so that most
// windows have their maximum more than once.
func (g *grader) ties(shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = float64(g.rng.IntN(3))
	}
	return t
}

func TestGrade_c3(t *testing.T) {
	g := newGrader(t, "c3")
	for _, c := range []struct {
		poolCase
		points int
	}{
		{poolCase{2, 3, 2, 2, 6, 6}, 5},
		{poolCase{2, 2, 3, 2, 7, 7}, 4},
		{poolCase{1, 3, 2, 1, 5, 6}, 3},
	} {
		x := tensor.RandNormal(g.rng, 0, 1, c.n, c.c, c.h, c.w)
		g.check("y = max of each window, "+c.String(), c.points, func() error {
			return closeTo("y", NewMaxPool2d(c.k, c.s).Forward(x), layers.NewMaxPool2d(c.k, c.s).Forward(x), valueTol)
		})
	}
	g.check("a second Forward on another shape (2×2, stride 2, 3×1×4×6 after 2×3×6×6)", 3, func() error {
		m := NewMaxPool2d(2, 2)
		m.Forward(tensor.RandNormal(g.rng, 0, 1, 2, 3, 6, 6))
		x := tensor.RandNormal(g.rng, 0, 1, 3, 1, 4, 6)
		return closeTo("y", m.Forward(x), layers.NewMaxPool2d(2, 2).Forward(x), valueTol)
	})
}

func TestGrade_c4(t *testing.T) {
	g := newGrader(t, "c4")
	c := poolCase{2, 2, 2, 2, 6, 6}
	x := tensor.RandNormal(g.rng, 0, 1, c.n, c.c, c.h, c.w)
	g.check("gradient check of X, "+c.String(), 4, func() error {
		return gradOK("MaxPool2d, "+c.String(), gradcheck.Layer(NewMaxPool2d(c.k, c.s), x, gradcheck.Options{Seed: hiddenSeed}), gradTol)
	})
	backward := func(c poolCase, x *tensor.Tensor) error {
		ref := layers.NewMaxPool2d(c.k, c.s)
		dy := tensor.RandNormal(g.rng, 0, 1, ref.Forward(x).Shape...)
		want := ref.Backward(dy)
		m := NewMaxPool2d(c.k, c.s)
		m.Forward(x)
		return closeTo("∂L/∂X", m.Backward(dy), want, valueTol)
	}
	c = poolCase{2, 2, 3, 2, 7, 7}
	g.check("∂L/∂X adds up where windows overlap, "+c.String(), 4, func() error {
		return backward(c, tensor.RandNormal(g.rng, 0, 1, c.n, c.c, c.h, c.w))
	})
	for _, c := range []struct {
		poolCase
		points int
	}{{poolCase{2, 3, 2, 2, 6, 6}, 4}, {poolCase{1, 2, 3, 2, 7, 7}, 3}} {
		g.check("ties (entries 0, 1, 2): δ goes to the first maximum in row-major window order, "+c.String(), c.points, func() error {
			return backward(c.poolCase, g.ties(c.n, c.c, c.h, c.w))
		})
	}
}
