package data

import (
	"fmt"
	"math/rand/v2"

	"github.com/backprop-go/backprop/tensor"
)

// LoaderOptions configures a Loader.
type LoaderOptions struct {
	// BatchSize is the number of examples per batch (0: 64).
	BatchSize int
	// Shuffle visits the examples in a new random order every epoch.
	Shuffle bool
	// DropLast skips the final batch of an epoch when it would be short.
	DropLast bool
	// Rng drives the shuffling; required when Shuffle is set, so that the
	// same seed always gives the same batches.
	Rng *rand.Rand
	// Augment, if set, randomly shifts (and optionally mirrors) every image
	// as it is copied into the batch, with its own Rng. Use it for training
	// batches only; evaluate on the images as they are.
	Augment *Augment
}

// Loader cuts a dataset into mini-batches, epoch after epoch.
//
// It copies the rows of each batch into a buffer it owns and reuses, so
// Next allocates nothing: the tensor and labels it returns are valid until
// the following call. For the same reason a Loader is not safe for
// concurrent use: give each goroutine its own.
type Loader struct {
	x      *tensor.Tensor
	labels []int
	opts   LoaderOptions
	order  []int // the current epoch's order of example indices
	pos    int   // position in order of the next batch
	fresh  bool  // order has been shuffled for the current epoch
	epoch  int
	batch  *tensor.Tensor // returned to the caller; Data is a prefix of buf
	buf    []float64
	by     []int
}

// NewLoader returns a Loader over the rows of x (N×D) and their labels.
// It keeps references to x and labels, not copies.
func NewLoader(x *tensor.Tensor, labels []int, opts LoaderOptions) *Loader {
	if x.Dims() != 2 {
		panic(fmt.Sprintf("data: NewLoader: need a 2-D tensor, have shape %v", x.Shape))
	}
	if x.Rows() != len(labels) {
		panic(fmt.Sprintf("data: NewLoader: %d rows in x but %d labels", x.Rows(), len(labels)))
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = 64
	}
	if opts.BatchSize < 0 {
		panic(fmt.Sprintf("data: NewLoader: negative batch size %d", opts.BatchSize))
	}
	if opts.Shuffle && opts.Rng == nil {
		panic("data: NewLoader: Shuffle needs an Rng")
	}
	if opts.Augment != nil {
		opts.Augment.check("NewLoader", x.Cols())
	}
	l := &Loader{x: x, labels: labels, opts: opts, order: make([]int, len(labels))}
	for i := range l.order {
		l.order[i] = i
	}
	// A batch never holds more rows than x has, however large BatchSize.
	b, d := min(opts.BatchSize, x.Rows()), x.Cols()
	l.buf = make([]float64, b*d)
	l.by = make([]int, b)
	l.batch = tensor.FromData(l.buf, b, d)
	return l
}

// Next returns the next batch: r rows of x (r ≤ BatchSize, smaller only for
// the last batch of an epoch) and their labels. At the end of an epoch it
// returns ok = false; the call after that starts the next epoch, in a new
// order when shuffling.
func (l *Loader) Next() (x *tensor.Tensor, y []int, ok bool) {
	if !l.fresh {
		if l.opts.Shuffle {
			l.opts.Rng.Shuffle(len(l.order), func(i, j int) { l.order[i], l.order[j] = l.order[j], l.order[i] })
		}
		l.fresh = true
	}
	r := min(l.opts.BatchSize, len(l.order)-l.pos)
	if r == 0 || (l.opts.DropLast && r < l.opts.BatchSize) {
		l.pos, l.fresh = 0, false
		l.epoch++
		return nil, nil, false
	}
	d := l.x.Cols()
	for k, i := range l.order[l.pos : l.pos+r] {
		if a := l.opts.Augment; a != nil {
			a.Apply(l.buf[k*d:(k+1)*d], l.x.Data[i*d:(i+1)*d]) // a new shift for every image of every epoch
		} else {
			copy(l.buf[k*d:(k+1)*d], l.x.Data[i*d:(i+1)*d])
		}
		l.by[k] = l.labels[i]
	}
	l.pos += r
	l.batch.Data = l.buf[:r*d]
	l.batch.Shape[0] = r
	return l.batch, l.by[:r], true
}

// NumBatches returns the number of batches in one epoch.
func (l *Loader) NumBatches() int {
	n, b := len(l.order), l.opts.BatchSize
	if l.opts.DropLast {
		return n / b
	}
	return n/b + min(n%b, 1) // ⌈n/b⌉ without overflow for a huge b
}

// Epoch returns the number of epochs completed, that is how many times Next
// has returned ok = false.
func (l *Loader) Epoch() int { return l.epoch }
