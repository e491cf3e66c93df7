package train

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/backprop-go/backprop/internal/numtest"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
)

// slices is a minimal Batches: fixed-order batches over (x, y), reusing one
// batch tensor, as a real loader does.
type slices struct {
	x     *tensor.Tensor
	y     []int
	batch int
	pos   int
	buf   tensor.Tensor
}

func (s *slices) NumBatches() int { return (s.x.Rows() + s.batch - 1) / s.batch }

func (s *slices) Next() (*tensor.Tensor, []int, bool) {
	n, cols := s.x.Rows(), s.x.Cols()
	if s.pos >= n {
		s.pos = 0
		return nil, nil, false
	}
	hi := min(s.pos+s.batch, n)
	s.buf.Data = s.x.Data[s.pos*cols : hi*cols]
	s.buf.Shape = append(s.buf.Shape[:0], hi-s.pos, cols)
	y := s.y[s.pos:hi]
	s.pos = hi
	return &s.buf, y, true
}

// blobs returns n points in d dimensions from k Gaussian clusters, a
// problem a small MLP learns in a few epochs.
func blobs(rng *rand.Rand, n, d, k int) (*tensor.Tensor, []int) {
	centres := tensor.RandNormal(rng, 0, 3, k, d)
	x := tensor.New(n, d)
	y := make([]int, n)
	for i := range n {
		c := rng.IntN(k)
		y[i] = c
		for j := range d {
			x.Data[i*d+j] = centres.At(c, j) + rng.NormFloat64()
		}
	}
	return x, y
}

func run(t *testing.T, seed uint64, lr float64) (*History, *layers.Sequential) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0))
	x, y := blobs(rng, 600, 8, 4)
	vx, vy := blobs(rand.New(rand.NewPCG(seed, 0)), 200, 8, 4) // same centres: same seed
	model := layers.NewMLP([]int{8, 16, 4}, layers.He, rng)
	h, err := Run(model, &slices{x: x, y: y, batch: 32}, &Set{X: vx, Y: vy},
		Config{LR: lr, Epochs: 10, EvalEvery: 50})
	if err != nil {
		t.Fatal(err)
	}
	return h, model
}

func TestRunLearns(t *testing.T) {
	h, _ := run(t, 7, 0.1)
	if got, want := len(h.Train), 10*19; got != want {
		t.Fatalf("%d training points, want %d (10 epochs of 19 batches)", got, want)
	}
	// Validation every 50 updates and after the last: 50, 100, 150, 190.
	if len(h.Val) != 4 || h.Val[3].Update != 190 || h.Val[0].Update != 50 {
		t.Fatalf("validation points at %v", h.Val)
	}
	if h.Train[len(h.Train)-1].Epoch != 10 {
		t.Errorf("last epoch %d, want 10", h.Train[len(h.Train)-1].Epoch)
	}
	first, last := h.Train[0].Loss, h.Val[len(h.Val)-1].Loss
	if !(last < first/4) {
		t.Errorf("loss went from %g to %g; expected it to fall by 4× at least", first, last)
	}
	numtest.AtMost(t, "validation error on separable blobs", h.Val[len(h.Val)-1].Error, 0.05)
}

func TestSameSeedSameBits(t *testing.T) {
	var a, b bytes.Buffer
	h1, _ := run(t, 3, 0.05)
	h2, _ := run(t, 3, 0.05)
	if err := h1.WriteCSV(&a); err != nil {
		t.Fatal(err)
	}
	if err := h2.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs with the same seed wrote different histories")
	}
	h3, _ := run(t, 4, 0.05)
	var c bytes.Buffer
	h3.WriteCSV(&c)
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("a different seed gave the same history")
	}
}

func TestCSVRoundTrip(t *testing.T) {
	h, _ := run(t, 5, 0.1)
	var buf bytes.Buffer
	if err := h.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Train) != len(h.Train) || len(back.Val) != len(h.Val) {
		t.Fatalf("read %d/%d points, wrote %d/%d", len(back.Train), len(back.Val), len(h.Train), len(h.Val))
	}
	for i := range h.Train {
		if back.Train[i] != h.Train[i] {
			t.Fatalf("train point %d: read %+v, wrote %+v", i, back.Train[i], h.Train[i])
		}
	}
	for _, bad := range []string{"", "a,b,c,d,e\n", "set,update,epoch,loss,error\nbogus,1,1,0.5,0.5\n",
		"set,update,epoch,loss,error\ntrain,x,1,0.5,0.5\n", "set,update,epoch,loss,error\ntrain,1,1\n"} {
		if _, err := ReadCSV(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadCSV(%q) gave no error", bad)
		}
	}
}

// TestEvaluatingTime checks History.Evaluating: part of Elapsed with a
// validation set, without the hooks' time, and zero with nothing to
// evaluate.
func TestEvaluatingTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	x, y := blobs(rng, 320, 8, 4)
	model := layers.NewMLP([]int{8, 16, 4}, layers.He, rng)
	const nap = 100 * time.Millisecond
	slow := Hook{Evaluated: func(*EvalInfo) { time.Sleep(nap) }}
	h, err := Run(model, &slices{x: x, y: y, batch: 32}, &Set{X: x, Y: y},
		Config{LR: 0.1, Epochs: 4, EvalEvery: 10, TrainEval: &Set{X: x, Y: y}, Hooks: []Hook{slow}})
	if err != nil {
		t.Fatal(err)
	}
	naps := time.Duration(len(h.Val)) * nap
	if len(h.Val) != 4 || !(h.Evaluating > 0) || !(h.Elapsed >= h.Evaluating+naps) {
		t.Errorf("%d validations: Evaluating %v, Elapsed %v; want 0 < Evaluating ≤ Elapsed − %v of the hooks", len(h.Val), h.Evaluating, h.Elapsed, naps)
	}
	if h.Evaluating >= naps {
		t.Errorf("Evaluating %v counts the hooks' %v", h.Evaluating, naps)
	}
	h, err = Run(model, &slices{x: x, y: y, batch: 32}, nil, Config{LR: 0.1, Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if h.Evaluating != 0 || !(h.Elapsed > 0) {
		t.Errorf("nothing to evaluate: Evaluating %v, Elapsed %v; want 0 and more", h.Evaluating, h.Elapsed)
	}
}

// TrainEval is evaluated at the same updates as validation, on the network
// as it is then: its last point is what Evaluate gives for the final model.
// It and Test survive the CSV round trip.
func TestTrainEvalSnapshots(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	x, y := blobs(rng, 600, 8, 4)
	vx, vy := blobs(rand.New(rand.NewPCG(9, 0)), 200, 8, 4)
	sub := &Set{X: tensor.FromData(x.Data[:100*8], 100, 8), Y: y[:100]}
	model := layers.NewMLP([]int{8, 16, 4}, layers.He, rng)
	h, err := Run(model, &slices{x: x, y: y, batch: 32}, &Set{X: vx, Y: vy},
		Config{LR: 0.1, Epochs: 3, EvalEvery: 20, TrainEval: sub})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.TrainEval) != len(h.Val) {
		t.Fatalf("%d TrainEval points for %d validation points", len(h.TrainEval), len(h.Val))
	}
	for i := range h.Val {
		if h.TrainEval[i].Update != h.Val[i].Update {
			t.Errorf("TrainEval point %d at update %d, validation at %d", i, h.TrainEval[i].Update, h.Val[i].Update)
		}
	}
	l, e := Evaluate(model, sub, 0)
	if last := h.TrainEval[len(h.TrainEval)-1]; last.Loss != l || last.Error != e {
		t.Errorf("last TrainEval point %+v, Evaluate of the final model gives loss %g error %g", last, l, e)
	}
	if h.TrainEval[0].Loss == h.TrainEval[len(h.TrainEval)-1].Loss {
		t.Error("TrainEval did not change during training")
	}
	h.Test = append(h.Test, Point{Update: 57, Epoch: 3, Loss: 0.25, Error: 0.125})
	var buf bytes.Buffer
	if err := h.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.TrainEval) != len(h.TrainEval) || back.TrainEval[1] != h.TrainEval[1] ||
		len(back.Test) != 1 || back.Test[0] != h.Test[0] {
		t.Errorf("CSV round trip: TrainEval %v Test %v, wrote %v %v", back.TrainEval, back.Test, h.TrainEval, h.Test)
	}
	bad := &Set{X: sub.X, Y: sub.Y[:10]}
	if _, err := Run(model, &slices{x: x, y: y, batch: 32}, nil, Config{LR: 0.1, Epochs: 1, TrainEval: bad}); err == nil {
		t.Error("a TrainEval set with too few labels was accepted")
	}
}

func TestDivergenceStopsWithStepAndRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := blobs(rng, 200, 4, 2)
	// The first sample of the third batch is finite but so large that the
	// logits overflow: divergence, not bad data (NaN itself is a
	// *DataError, see TestNonFiniteDataIsADataError).
	for j := range 4 {
		x.Data[2*32*4+j] = math.MaxFloat64
	}
	model := layers.NewMLP([]int{4, 8, 2}, layers.He, rng)
	h, err := Run(model, &slices{x: x, y: y, batch: 32}, nil, Config{LR: 0.25, Epochs: 1})
	var de *DivergedError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a *DivergedError", err)
	}
	if de.Update != 3 || de.LR != 0.25 || len(h.Train) != 2 {
		t.Errorf("stopped at update %d with lr %g after %d points; want update 3, lr 0.25, 2 points", de.Update, de.LR, len(h.Train))
	}
	for _, want := range []string{"update 3", "learning rate 0.25", fmt.Sprint(de.Loss)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestBadConfig(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := blobs(rng, 10, 2, 2)
	model := layers.NewMLP([]int{2, 2}, layers.He, rng)
	for _, cfg := range []Config{{LR: 0, Epochs: 1}, {LR: math.NaN(), Epochs: 1}, {LR: 0.1}} {
		if _, err := Run(model, &slices{x: x, y: y, batch: 4}, nil, cfg); err == nil {
			t.Errorf("Run with %+v gave no error", cfg)
		}
	}
}

func TestEvaluateMatchesOneBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x, y := blobs(rng, 103, 5, 3)
	model := layers.NewMLP([]int{5, 7, 3}, layers.He, rng)
	l1, e1 := Evaluate(model, &Set{X: x, Y: y}, 10) // 11 batches, the last of 3 rows
	var ce loss.SoftmaxCrossEntropy
	logits := model.Forward(x).Clone() // Predict below reuses the model's buffers
	l2 := ce.Forward(logits, y)
	e2 := loss.ErrorRate(logits, y)
	numtest.Close(t, "loss of the batched evaluation against one batch", l1, l2, numtest.Tol{Abs: 1e-12})
	numtest.Close(t, "error of the batched evaluation against one batch", e1, e2, numtest.Tol{Abs: 1e-12})
	pred := Predict(model, x, 10)
	want := tensor.ArgmaxRows(nil, logits)
	for i := range want {
		if pred[i] != want[i] {
			t.Fatalf("Predict row %d = %d, want %d", i, pred[i], want[i])
		}
	}
}

// TestEvalBatchChangesNoPrediction evaluates a small CNN, whose layers
// keep buffers of the largest batch, in batches of several sizes: the
// predictions and the error rate are the same, the loss the same up to the
// rounding of its weighted batch means.
func TestEvalBatchChangesNoPrediction(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	x, y := blobs(rng, 301, 36, 3)
	model := layers.NewSequential(
		layers.NewUnflatten(1, 6, 6),
		layers.NewConv2d(1, 3, 3, layers.Conv2dOptions{Padding: 1}, rng), layers.NewBatchNorm2d(3), layers.NewReLU(),
		layers.NewMaxPool2d(2, 0), layers.NewFlatten(), layers.NewLinear(27, 3, layers.Xavier, rng),
	)
	set := &Set{X: x, Y: y}
	l0, e0 := Evaluate(model, set, 1)
	p0 := Predict(model, x, 1)
	for _, b := range []int{7, 0, DefaultEvalBatch, 1000} {
		what := fmt.Sprintf("batch %d", b)
		l, e := Evaluate(model, set, b)
		numtest.Close(t, what+": loss", l, l0, numtest.Tol{Rel: 1e-14})
		numtest.Same(t, what+": error rate", e, e0)
		p := Predict(model, x, b)
		for i := range p0 {
			if p[i] != p0[i] {
				t.Fatalf("%s: Predict row %d = %d, with batch 1 %d", what, i, p[i], p0[i])
			}
		}
	}
}

// TestStepAllocatesNothing checks the claim of the package doc: once the
// buffers exist, a whole training step allocates nothing.
func TestStepAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items on purpose: allocation counts are meaningless")
	}
	rng := rand.New(rand.NewPCG(2, 2))
	x := tensor.RandUniform(rng, 0, 1, 64, 784)
	y := make([]int, 64)
	for i := range y {
		y[i] = rng.IntN(10)
	}
	model := layers.NewMLP([]int{784, 128, 10}, layers.He, rng)
	var ce loss.SoftmaxCrossEntropy
	sgd := &layers.SGD{LR: 0.01}
	Step(model, &ce, sgd, x, y)
	if n := testing.AllocsPerRun(20, func() { Step(model, &ce, sgd, x, y) }); n != 0 {
		t.Errorf("a training step allocates %v times, want 0", n)
	}
	// The steps Run takes, fused from the second on; on two goroutines,
	// cut by rows (split.go).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		s := newStepper(model, &ce, sgd)
		s.step(x, y, sgd.LR, nil, nil)
		s.step(x, y, sgd.LR, nil, nil)
		if n := testing.AllocsPerRun(20, func() { s.step(x, y, sgd.LR, nil, nil) }); n != 0 {
			t.Errorf("GOMAXPROCS %d: a fused training step allocates %v times, want 0", procs, n)
		}
	}
}

func TestStepDecay(t *testing.T) {
	lr, factor := 0.2, 0.1 // variables: Go folds constant products exactly
	s := StepDecay(lr, 3, factor)
	for u, want := range map[int]float64{1: lr, 3: lr, 4: lr * factor, 100: lr * factor} {
		if got := s(u); got != want {
			t.Errorf("StepDecay(0.2, 3, 0.1)(%d) = %g, want %g", u, got, want)
		}
	}
}

// A schedule is used update by update: the divergence report names the rate
// in force at the failing update, not the starting one.
func TestScheduleRateInDivergence(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := blobs(rng, 200, 4, 2)
	for j := range 4 { // the third batch overflows, as above
		x.Data[2*32*4+j] = math.MaxFloat64
	}
	model := layers.NewMLP([]int{4, 8, 2}, layers.He, rng)
	_, err := Run(model, &slices{x: x, y: y, batch: 32}, nil,
		Config{LR: 9, Schedule: StepDecay(0.5, 2, 0.1), Epochs: 1})
	var de *DivergedError
	if !errors.As(err, &de) || de.Update != 3 || !(math.Abs(de.LR-0.05) <= 1e-15) {
		t.Fatalf("err = %v, want divergence at update 3 with rate 0.05", err)
	}
	x, y = blobs(rng, 200, 4, 2)
	model = layers.NewMLP([]int{4, 8, 2}, layers.He, rng)
	_, err = Run(model, &slices{x: x, y: y, batch: 32}, nil,
		Config{Schedule: StepDecay(0.5, 1, 0), Epochs: 1})
	if err == nil || !strings.Contains(err.Error(), "at update 2") {
		t.Errorf("a schedule reaching rate 0 gave %v", err)
	}
}

// Labels that do not match the samples are refused, not silently cut or
// read out of range: too many would score the model against the wrong set.
func TestLabelCountMismatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	x, y := blobs(rng, 20, 3, 2)
	model := layers.NewMLP([]int{3, 2}, layers.He, rng)
	for _, labels := range [][]int{y[:19], append(y, 0)} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, "train: Evaluate: ") || !strings.Contains(msg, "labels for 20 samples") {
					t.Errorf("Evaluate with %d labels: panic %q", len(labels), msg)
				}
			}()
			Evaluate(model, &Set{X: x, Y: labels}, 8)
		}()
		_, err := Run(model, &slices{x: x, y: y, batch: 4}, &Set{X: x, Y: labels}, Config{LR: 0.1, Epochs: 1})
		if err == nil || !strings.Contains(err.Error(), "labels for 20 samples") {
			t.Errorf("Run with %d validation labels: error %v", len(labels), err)
		}
	}
}

// Evaluate and Predict run in evaluation mode and leave the model in the
// mode they found it in.
func TestEvaluateRestoresMode(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x, y := blobs(rng, 20, 3, 2)
	model := layers.NewMLP([]int{3, 4, 2}, layers.He, rng)
	if !model.Training() {
		t.Fatal("a new model is not in training mode")
	}
	for _, training := range []bool{true, false} {
		model.SetTraining(training)
		Evaluate(model, &Set{X: x, Y: y}, 7)
		if model.Training() != training {
			t.Errorf("Evaluate left Training() = %v, want %v", model.Training(), training)
		}
		Predict(model, x, 7)
		if model.Training() != training {
			t.Errorf("Predict left Training() = %v, want %v", model.Training(), training)
		}
	}
}

// The progress line's mean of the last 100 losses forgets a huge loss once
// it leaves the window (a running sum kept its rounding error: after 1e20
// and a hundred losses of 1 it said 0).
func TestLossWindowForgets(t *testing.T) {
	var w lossWindow
	w.add(1e20)
	if w.mean() != 1e20 || w.n != 1 {
		t.Fatalf("after one loss: mean %g over %d", w.mean(), w.n)
	}
	for range 100 {
		w.add(1)
	}
	if w.mean() != 1 || w.n != 100 {
		t.Errorf("after a hundred losses of 1: mean %g over %d, want 1 over 100", w.mean(), w.n)
	}
}
