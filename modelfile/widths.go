package modelfile

import (
	"fmt"
	"reflect"

	"github.com/backprop-go/backprop/layers"
)

// A network of Linear layers only works if each layer takes as many
// features as the one before it gives: Linear(784→256) then Linear(256→10).
// A file can say anything, so Load checks the chain (checkWidths) rather
// than leave the first Forward to panic. What each layer does to the width:
//
//	Linear(in→out)                    takes in features, gives out
//	BatchNorm1d(m)                    takes m, gives m
//	ReLU, Sigmoid, Tanh, LeakyReLU,   give what they take (registered with
//	GELU, Dropout                     registerElementwise)
//	anything else                     unknown: a convolution's output width
//	                                  depends on its input's image size, so
//	                                  the chain starts again after it

// widthOf returns the input and output widths of l if it fixes them, and
// whether it does; keeps reports an element-wise layer.
func widthOf(l layers.Layer) (in, out int, sized, keeps bool) {
	switch l := l.(type) {
	case *layers.Linear:
		return l.In(), l.Out(), true, false
	case *layers.BatchNorm1d:
		return l.Features(), l.Features(), true, false
	}
	registry.RLock()
	c := registry.byType[reflect.TypeOf(l)]
	registry.RUnlock()
	return 0, 0, false, c != nil && c.keepsWidth
}

// checkWidths checks that consecutive layers agree on the width between
// them, across element-wise layers; the error names both layers.
func checkWidths(ls []layers.Layer) error {
	last, lastIdx := -1, -1 // output width of the last sized layer, -1 if unknown
	for i, l := range ls {
		in, out, sized, keeps := widthOf(l)
		switch {
		case sized:
			if last >= 0 && in != last {
				verb := fmt.Sprintf("takes %d inputs", in)
				if _, ok := l.(*layers.BatchNorm1d); ok {
					verb = fmt.Sprintf("normalises %d features", in)
				}
				return fmt.Errorf("%w: layer %d (%v) %s, but layer %d (%v) gives %d outputs",
					ErrMalformed, i, l, verb, lastIdx, ls[lastIdx], last)
			}
			last, lastIdx = out, i
		case !keeps:
			last = -1
		}
	}
	return nil
}

// Widths returns the number of input features a loaded model takes and
// the number of outputs it gives (for a classifier, the number of classes
// it scores), so that a program can check them against its data before the
// first Forward. A side the model does not fix (it starts or ends with a
// layer that is neither sized nor element-wise, such as a convolution) is
// returned as 0. It returns an error if no layer fixes a width (an empty
// Sequential, or one of activations only: any input would pass through
// unchanged) or if consecutive layers disagree (which Load has already
// checked for a model it returns).
func Widths(s *layers.Sequential) (in, out int, err error) {
	if s == nil {
		return 0, 0, fmt.Errorf("modelfile: Widths: the model is nil")
	}
	ls := s.Layers()
	if err := checkWidths(ls); err != nil {
		return 0, 0, err
	}
	first, last := -1, -1
	for i, l := range ls {
		if _, _, sized, _ := widthOf(l); sized {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return 0, 0, fmt.Errorf("modelfile: the model %v has no layer that fixes a width (Linear, BatchNorm1d): "+
			"it has no inputs or outputs to check", s)
	}
	in, _, _, _ = widthOf(ls[first])
	_, out, _, _ = widthOf(ls[last])
	for _, l := range ls[:first] {
		if _, _, _, keeps := widthOf(l); !keeps {
			in = 0
		}
	}
	for _, l := range ls[last+1:] {
		if _, _, _, keeps := widthOf(l); !keeps {
			out = 0
		}
	}
	return in, out, nil
}
