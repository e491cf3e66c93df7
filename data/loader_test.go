package data

import (
	"math"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/tensor"
)

// indexed returns n rows of d columns whose every value is the row index,
// and labels equal to the row index, so a batch shows where it came from.
func indexed(n, d int) (*tensor.Tensor, []int) {
	x := tensor.New(n, d)
	y := make([]int, n)
	for i := range n {
		for j := range d {
			x.Data[i*d+j] = float64(i)
		}
		y[i] = i
	}
	return x, y
}

// epoch runs Next to the end of one epoch and returns the labels seen, in
// order, and the batch sizes. It checks every row against its label.
func epoch(t *testing.T, l *Loader) (seen, sizes []int) {
	t.Helper()
	for {
		x, y, ok := l.Next()
		if !ok {
			return seen, sizes
		}
		if x.Rows() != len(y) || x.Cols() != 3 || len(x.Data) != 3*len(y) {
			t.Fatalf("batch shape %v with %d labels", x.Shape, len(y))
		}
		for k, label := range y {
			if row := x.Row(k); row[0] != float64(label) || row[2] != float64(label) {
				t.Fatalf("row %v has label %d", row, label)
			}
		}
		seen = append(seen, y...)
		sizes = append(sizes, len(y))
	}
}

func TestLoaderEverySampleOncePerEpoch(t *testing.T) {
	x, y := indexed(150, 3)
	for _, shuffle := range []bool{false, true} {
		l := NewLoader(x, y, LoaderOptions{Shuffle: shuffle, Rng: newRng(1)})
		if l.NumBatches() != 3 {
			t.Errorf("NumBatches %d, want 3", l.NumBatches())
		}
		var orders [][]int
		for e := range 3 {
			seen, sizes := epoch(t, l)
			if !slices.Equal(sizes, []int{64, 64, 22}) {
				t.Errorf("shuffle %v epoch %d: batch sizes %v", shuffle, e, sizes)
			}
			if l.Epoch() != e+1 {
				t.Errorf("Epoch() = %d after %d epochs", l.Epoch(), e+1)
			}
			orders = append(orders, slices.Clone(seen))
			slices.Sort(seen)
			if !slices.Equal(seen, y) {
				t.Fatalf("shuffle %v epoch %d: did not see every sample exactly once", shuffle, e)
			}
		}
		if shuffle == slices.Equal(orders[0], orders[1]) || shuffle == slices.Equal(orders[1], orders[2]) {
			t.Errorf("shuffle %v: orders of consecutive epochs equal = %v, %v",
				shuffle, slices.Equal(orders[0], orders[1]), slices.Equal(orders[1], orders[2]))
		}
		if !shuffle && !slices.Equal(orders[0], y) {
			t.Errorf("without shuffling the order is %v", orders[0])
		}
	}
}

func TestLoaderDeterministic(t *testing.T) {
	x, y := indexed(100, 3)
	run := func(seed uint64) []int {
		l := NewLoader(x, y, LoaderOptions{BatchSize: 7, Shuffle: true, Rng: newRng(seed)})
		var all []int
		for range 3 {
			seen, _ := epoch(t, l)
			all = append(all, seen...)
		}
		return all
	}
	if !slices.Equal(run(5), run(5)) {
		t.Error("same seed, different batches")
	}
	if slices.Equal(run(5), run(6)) {
		t.Error("different seeds, same batches")
	}
}

func TestLoaderDropLast(t *testing.T) {
	x, y := indexed(150, 3)
	l := NewLoader(x, y, LoaderOptions{DropLast: true, Shuffle: true, Rng: newRng(2)})
	if l.NumBatches() != 2 {
		t.Errorf("NumBatches %d, want 2", l.NumBatches())
	}
	covered := map[int]bool{}
	for range 5 {
		seen, sizes := epoch(t, l)
		if !slices.Equal(sizes, []int{64, 64}) {
			t.Fatalf("batch sizes %v", sizes)
		}
		if len(sortedUnique(seen)) != 128 {
			t.Fatal("a sample repeats within an epoch")
		}
		for _, i := range seen {
			covered[i] = true
		}
	}
	if len(covered) < 149 { // the dropped tail differs per epoch
		t.Errorf("only %d of 150 samples seen in 5 epochs", len(covered))
	}

	// Fewer samples than one batch: no batch at all.
	l = NewLoader(x.Reshape(150, 3), y, LoaderOptions{BatchSize: 200, DropLast: true})
	if _, _, ok := l.Next(); ok || l.NumBatches() != 0 || l.Epoch() != 1 {
		t.Error("expected an empty epoch")
	}
}

func TestLoaderPartialBatch(t *testing.T) {
	x, y := indexed(10, 3)
	l := NewLoader(x, y, LoaderOptions{BatchSize: 4})
	for _, want := range [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}, nil, {0, 1, 2, 3}} {
		xb, yb, ok := l.Next()
		if ok != (want != nil) || !slices.Equal(yb, want) {
			t.Fatalf("got %v %v, want %v", yb, ok, want)
		}
		if ok && (xb.Shape[0] != len(want) || xb.Shape[1] != 3) {
			t.Fatalf("shape %v for %d labels", xb.Shape, len(want))
		}
	}
}

func TestLoaderNextAllocatesNothing(t *testing.T) {
	x, y := indexed(1000, 784)
	l := NewLoader(x, y, LoaderOptions{Shuffle: true, Rng: newRng(1)})
	// Many epochs (16 batches each) so the reshuffles are counted too.
	if n := testing.AllocsPerRun(100, func() { l.Next() }); n != 0 {
		t.Errorf("Next allocates %v times per call", n)
	}
	if l.Epoch() < 5 {
		t.Errorf("only %d epochs ran", l.Epoch())
	}
}

func TestNewLoaderPanics(t *testing.T) {
	x, y := indexed(10, 3)
	for name, f := range map[string]func(){
		"labels":        func() { NewLoader(x, y[:9], LoaderOptions{}) },
		"1-D":           func() { NewLoader(tensor.New(10), y, LoaderOptions{}) },
		"negative size": func() { NewLoader(x, y, LoaderOptions{BatchSize: -1}) },
		"shuffle no rng": func() {
			NewLoader(x, y, LoaderOptions{Shuffle: true})
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkLoaderNext(b *testing.B) {
	x, y := indexed(60000, 784)
	l := NewLoader(x, y, LoaderOptions{Shuffle: true, Rng: newRng(1)})
	b.SetBytes(64 * 784 * 8)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, ok := l.Next(); !ok {
			l.Next()
		}
	}
}

// A batch size larger than the dataset gives one batch of everything; the
// buffer is sized by the rows that exist, so even an absurd batch size (a
// typo on the command line) neither panics nor exhausts memory.
func TestLoaderBatchLargerThanData(t *testing.T) {
	x, y := indexed(5, 3)
	for _, b := range []int{6, 1 << 40, math.MaxInt} {
		l := NewLoader(x, y, LoaderOptions{BatchSize: b})
		xb, yb, ok := l.Next()
		if !ok || xb.Rows() != 5 || !slices.Equal(yb, []int{0, 1, 2, 3, 4}) {
			t.Fatalf("batch size %d: got ok=%v, y %v", b, ok, yb)
		}
		if _, _, ok := l.Next(); ok || l.NumBatches() != 1 {
			t.Errorf("batch size %d: want one batch per epoch, NumBatches %d", b, l.NumBatches())
		}
	}
}

func TestLoaderEmpty(t *testing.T) {
	l := NewLoader(tensor.New(0, 3), nil, LoaderOptions{BatchSize: 4})
	if _, _, ok := l.Next(); ok || l.NumBatches() != 0 || l.Epoch() != 1 {
		t.Errorf("empty loader: ok=%v, NumBatches %d, Epoch %d", ok, l.NumBatches(), l.Epoch())
	}
}

// sortedUnique returns the distinct values of s in increasing order.
func sortedUnique(s []int) []int {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
