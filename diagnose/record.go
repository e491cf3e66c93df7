package diagnose

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// The metrics a Recorder measures, as they appear in Measure.Metric and in
// the CSV file.
const (
	// Ratio is ‖Δθ‖/‖θ‖ of a layer's parameters over one update: how far
	// the step moved the weights, relative to their size. Karpathy's rule of
	// thumb: around 1e-3 is healthy; 1e-1 and the weights are being thrown
	// around (learning rate too high), 1e-5 and nothing is learnt.
	Ratio = "update/weight"
	// GradNorm is ‖∂L/∂θ‖ of a layer's parameters, before the step.
	GradNorm = "grad norm"
	// WeightNorm is ‖θ‖ of a layer's parameters, before the step.
	WeightNorm = "weight norm"
	// Dead is, for a ReLU, the fraction of its units that output 0 for
	// every sample of the probe batch: they pass no gradient back, so
	// their incoming weights never change again. After a convolution the
	// units are channels, dead when 0 at every position (DeadUnits).
	Dead = "dead"
	// Saturated is, for a tanh or sigmoid, the fraction of outputs within
	// 3% of the ends of the range (|y| > 0.97 for tanh; y < 0.03 or
	// y > 0.97 for sigmoid), where the derivative is nearly 0.
	Saturated = "saturated"
)

// Measure is one number a Recorder took: a metric of a layer at an update.
type Measure struct {
	Update int     // the weight update (1-based) after which it was taken
	Layer  string  // the layer's index and name, e.g. "0 Linear(784→256)"
	Metric string  // Ratio, GradNorm, WeightNorm, Dead or Saturated
	Value  float64 // the number itself; Dead and Saturated are fractions of the units
}

// Histogram is the distribution of a layer's outputs (Kind "activation") or
// of the loss's gradient with respect to them ("gradient") at one update,
// on the probe batch: Counts[i] values fell in [Lo + i·w, Lo + (i+1)·w) with
// w = (Hi − Lo)/len(Counts).
type Histogram struct {
	Update int     // the weight update (1-based) after which it was taken
	Layer  string  // the layer's index and name, as in Measure
	Kind   string  // "activation" or "gradient"
	Lo, Hi float64 // the smallest and largest finite value
	Counts []int   // how many values fell in each of len(Counts) equal bins
	Mean   float64 // the mean of the finite values (NaN if there are none)
	Std    float64 // their standard deviation (NaN if there are none)
}

// ClassAccuracy is the accuracy on each class of the validation set at one
// evaluation.
type ClassAccuracy struct {
	Update int       // the weight update at which the evaluation ran
	Acc    []float64 // Acc[c] = fraction of class c's samples predicted as c
}

// Recorder measures what a teacher looks at during training: per layer the
// update-to-weight ratio, the gradient norm, dead or saturated units; per
// layer histograms of activations and gradients at chosen updates; per-class
// validation accuracy at every evaluation. Make one with NewRecorder and pass
// its Hook to train.Config.Hooks.
//
// It samples: the ratios, norms and unit counts are taken every Every
// updates only, so that the cost stays a few per cent of the run. The
// activations are those of a fixed probe batch run through the model in
// evaluation mode after the step, so samples taken at different updates are
// comparable and the run itself is unchanged.
type Recorder struct {
	Every    int             // sample every this many updates (and at update 1)
	HistAt   []int           // updates at which histograms are taken
	Bins     int             // histogram bins
	Measures []Measure       // every sampled number, in the order taken
	Hists    []Histogram     // the histograms taken at the updates in HistAt
	Classes  []ClassAccuracy // per-class accuracy at every evaluation
	// LastPred holds the predictions of the last evaluation, for a
	// confusion matrix.
	LastPred []int
	// DeadSets lists, for each ReLU layer in order, which of its units
	// (channels after a convolution) were dead at the last sample.
	DeadSets []DeadSet

	probe  *tensor.Tensor
	probeY []int
	nclass int
	before [][]float64 // parameter values before the step, per Param
	norms  []float64   // their norms (per layer), for the ratio
	names  []string    // layer labels
	group  []int       // the index into names of each parameter
	ce     loss.SoftmaxCrossEntropy
}

// DeadSet is which units of one ReLU layer were dead on the probe batch at
// one update (DeadUnits).
type DeadSet struct {
	Update   int    // the weight update after which it was taken
	Layer    string // the layer's index and name, as in Measure
	Units    int    // how many units the layer has (channels if Channels)
	Channels bool   // the output has spatial dimensions: the units are channels
	Dead     []int  // the indices of the dead units, in increasing order
}

// RecorderOptions configures NewRecorder.
type RecorderOptions struct {
	Every  int        // 0 means 50
	HistAt []int      // nil means none
	Bins   int        // 0 means 40
	Probe  *train.Set // the batch whose activations are measured (a few hundred samples); required
	// Model is the network to be trained. Its layers are looked at one by
	// one when it has a Layers method (*layers.Sequential does); otherwise
	// only its parameters are.
	Model   train.Model
	Classes int // classes of the validation set; 0 means the largest label + 1
}

// NewRecorder returns a Recorder for model.
func NewRecorder(opts RecorderOptions) *Recorder {
	if opts.Probe == nil || opts.Model == nil {
		panic("diagnose: NewRecorder needs a Probe set and the Model")
	}
	r := &Recorder{Every: opts.Every, HistAt: opts.HistAt, Bins: opts.Bins, probe: opts.Probe.X, probeY: opts.Probe.Y, nclass: opts.Classes}
	if r.Every <= 0 {
		r.Every = 50
	}
	if r.Bins <= 0 {
		r.Bins = 40
	}
	if seq, ok := opts.Model.(layered); ok {
		for i, l := range seq.Layers() {
			r.names = append(r.names, fmt.Sprintf("%d %v", i, l))
		}
	}
	for _, p := range opts.Model.Params() {
		r.before = append(r.before, make([]float64, len(p.Value.Data)))
		// Sequential names a parameter "<layer>.<name>"; anything else
		// is a group of its own.
		l := -1
		if dot := strings.IndexByte(p.Name, '.'); dot > 0 {
			if i, err := strconv.Atoi(p.Name[:dot]); err == nil && i < len(r.names) {
				l = i
			}
		}
		if l < 0 {
			l = len(r.names)
			r.names = append(r.names, p.Name)
		}
		r.group = append(r.group, l)
	}
	r.norms = make([]float64, len(r.names))
	return r
}

// Hook returns the train.Hook that feeds the recorder.
func (r *Recorder) Hook() train.Hook {
	return train.Hook{Gradients: r.gradients, Updated: r.updated, Evaluated: r.evaluated}
}

func (r *Recorder) sampled(update int) bool { return update == 1 || update%r.Every == 0 }

func (r *Recorder) histAt(update int) bool {
	for _, u := range r.HistAt {
		if u == update {
			return true
		}
	}
	return false
}

// gradients runs before the step: it keeps the weights, so that updated can
// measure how far the step moved them, and measures the gradient norms.
func (r *Recorder) gradients(u *train.StepInfo) {
	if !r.sampled(u.Update) {
		return
	}
	grad := make([]float64, len(r.names))
	clear(r.norms)
	for i, p := range u.Model.Params() {
		copy(r.before[i], p.Value.Data)
		l := r.group[i]
		grad[l] += sumSq(p.Grad.Data)
		r.norms[l] += sumSq(p.Value.Data)
	}
	for l, g := range grad {
		if g > 0 || r.norms[l] > 0 {
			r.add(u.Update, l, GradNorm, math.Sqrt(g))
			r.add(u.Update, l, WeightNorm, math.Sqrt(r.norms[l]))
		}
	}
}

// updated runs after the step: the ratio, and the probe batch's activations.
func (r *Recorder) updated(u *train.StepInfo) {
	if !r.sampled(u.Update) && !r.histAt(u.Update) {
		return
	}
	if r.sampled(u.Update) {
		delta := make([]float64, len(r.names))
		for i, p := range u.Model.Params() {
			l := r.group[i]
			for j, v := range p.Value.Data {
				d := v - r.before[i][j]
				delta[l] += d * d
			}
		}
		for l, d := range delta {
			if r.norms[l] > 0 {
				r.add(u.Update, l, Ratio, math.Sqrt(d/r.norms[l]))
			}
		}
	}
	r.activations(u.Model, u.Update, r.histAt(u.Update))
}

// activations runs the probe batch through the model layer by layer in
// evaluation mode, measuring dead and saturated units and, if hist, taking
// histograms of every layer's output and of the loss's gradient with respect
// to it. The backward pass for the histograms accumulates into the
// parameter gradients, which are zeroed again (the step has used them).
func (r *Recorder) activations(model train.Model, update int, hist bool) {
	seq, ok := model.(layered)
	if !ok {
		return
	}
	defer model.SetTraining(model.Training())
	model.SetTraining(false)
	ls := seq.Layers()
	outs := make([]*tensor.Tensor, len(ls))
	x := r.probe
	for i, l := range ls {
		x = l.Forward(x)
		outs[i] = x
		switch kind := activationKind(l); {
		case kind == "relu":
			r.dead(update, i, x)
		case kind != "":
			r.add(update, i, Saturated, SaturatedFraction(x, kind))
		}
		if hist {
			r.Hists = append(r.Hists, NewHistogram(update, r.names[i], "activation", x.Data, r.Bins))
		}
	}
	if !hist {
		return
	}
	r.ce.Forward(x, r.probeY)
	d := r.ce.Backward()
	grads := make([]Histogram, len(ls))
	for i := len(ls) - 1; i >= 0; i-- {
		grads[i] = NewHistogram(update, r.names[i], "gradient", d.Data, r.Bins)
		d = ls[i].Backward(d)
	}
	r.Hists = append(r.Hists, grads...)
	layers.ZeroGrads(model.Params())
}

// dead records the dead units of layer i's output y, as a fraction and as
// the layer's DeadSet.
func (r *Recorder) dead(update, i int, y *tensor.Tensor) {
	d, units := DeadUnits(y)
	if units == 0 {
		return
	}
	r.add(update, i, Dead, float64(len(d))/float64(units))
	set := DeadSet{Update: update, Layer: r.names[i], Units: units, Channels: y.Dims() > 2, Dead: d}
	for k := range r.DeadSets {
		if r.DeadSets[k].Layer == set.Layer {
			r.DeadSets[k] = set
			return
		}
	}
	r.DeadSets = append(r.DeadSets, set)
}

func (r *Recorder) evaluated(e *train.EvalInfo) {
	n := r.nclass
	if n <= 0 {
		for _, c := range e.Set.Y {
			n = max(n, c+1)
		}
	}
	r.Classes = append(r.Classes, ClassAccuracy{Update: e.Update, Acc: PerClassAccuracy(e.Set.Y, e.Pred, n)})
	r.LastPred = append(r.LastPred[:0], e.Pred...)
}

func (r *Recorder) add(update, layer int, metric string, v float64) {
	r.Measures = append(r.Measures, Measure{Update: update, Layer: r.names[layer], Metric: metric, Value: v})
}

// Series returns the updates and values of one metric of one layer, in
// the order they were taken, ready for a plot.Series.
func (r *Recorder) Series(layer, metric string) (x, y []float64) {
	for _, m := range r.Measures {
		if m.Layer == layer && m.Metric == metric {
			x = append(x, float64(m.Update))
			y = append(y, m.Value)
		}
	}
	return x, y
}

// Layers returns the labels of the layers that have metric, in order.
func (r *Recorder) Layers(metric string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range r.Measures {
		if m.Metric == metric && !seen[m.Layer] {
			seen[m.Layer] = true
			out = append(out, m.Layer)
		}
	}
	return out
}

// Last returns the last value of metric for layer, NaN if none.
func (r *Recorder) Last(layer, metric string) float64 {
	v := math.NaN()
	for _, m := range r.Measures {
		if m.Layer == layer && m.Metric == metric {
			v = m.Value
		}
	}
	return v
}

// WriteCSV writes every measure as CSV with the columns update, layer,
// metric, value, then every per-class accuracy as rows with the metric
// "val accuracy class <c>" and the layer "-".
func (r *Recorder) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cw.Write([]string{"update", "layer", "metric", "value"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, m := range r.Measures {
		cw.Write([]string{strconv.Itoa(m.Update), m.Layer, m.Metric, f(m.Value)})
	}
	for _, c := range r.Classes {
		for k, a := range c.Acc {
			cw.Write([]string{strconv.Itoa(c.Update), "-", "val accuracy class " + strconv.Itoa(k), f(a)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteHistogramsCSV writes the histograms as CSV, one row per bin: update,
// layer, kind, lo and hi of the bin, count.
func (r *Recorder) WriteHistogramsCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cw.Write([]string{"update", "layer", "kind", "lo", "hi", "count"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, h := range r.Hists {
		w := (h.Hi - h.Lo) / float64(len(h.Counts))
		for i, c := range h.Counts {
			cw.Write([]string{strconv.Itoa(h.Update), h.Layer, h.Kind, f(h.Lo + float64(i)*w), f(h.Lo + float64(i+1)*w), strconv.Itoa(c)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// layered is a model made of layers in a row, like *layers.Sequential.
type layered interface{ Layers() []layers.Layer }

// activationKind tells a ReLU ("relu") from a tanh ("tanh") or sigmoid
// ("sigmoid"): by type for the layers of package layers, by the name its
// String method gives for a student's own; "" for anything else.
func activationKind(l layers.Layer) string {
	switch l.(type) {
	case *layers.ReLU:
		return "relu"
	case *layers.Tanh:
		return "tanh"
	case *layers.Sigmoid:
		return "sigmoid"
	}
	name := strings.ToLower(fmt.Sprint(l))
	switch {
	case strings.HasPrefix(name, "relu"):
		return "relu"
	case strings.HasPrefix(name, "tanh"):
		return "tanh"
	case strings.HasPrefix(name, "sigmoid"):
		return "sigmoid"
	}
	return ""
}

// DeadUnits returns the units of the layer output y that are ≤ 0 for every
// sample, in increasing order, and how many units y has: ReLU units that are
// off for the whole batch. For a 2-D output (one sample per row) a unit is a
// column. For an output with more dimensions, N×C×H×W (a convolution's
// feature maps, NCHW) or N×C×…, a unit is a channel: channel c is dead when
// it is ≤ 0 at every position of every sample, because its filter then gets
// no gradient from anywhere in the image. A tensor of fewer than two
// dimensions has no units (0).
func DeadUnits(y *tensor.Tensor) (dead []int, units int) {
	if y.Dims() < 2 || y.Shape[0] == 0 {
		return nil, 0
	}
	units = y.Shape[1]
	if units == 0 {
		return nil, 0
	}
	// Sample i's channel c is the run of `inner` values (H·W for an image,
	// 1 for a column) that starts at (i·C + c)·inner.
	inner := y.Len() / (y.Shape[0] * units)
	alive := make([]bool, units)
	for k, v := range y.Data {
		if v > 0 {
			alive[(k/inner)%units] = true
		}
	}
	for c, a := range alive {
		if !a {
			dead = append(dead, c)
		}
	}
	return dead, units
}

// DeadFraction returns the fraction of the units of the layer output y
// that DeadUnits finds dead: columns of a 2-D output, channels of an N-D
// one. It is NaN when y has no units.
func DeadFraction(y *tensor.Tensor) float64 {
	dead, units := DeadUnits(y)
	if units == 0 {
		return math.NaN()
	}
	return float64(len(dead)) / float64(units)
}

// SaturatedFraction returns the fraction of the values of y within 3% of
// the ends of the range of the activation kind: |y| > 0.97 for "tanh"
// (range −1…1), y < 0.03 or y > 0.97 for "sigmoid" (range 0…1). There the
// derivative, 1 − y² or y(1 − y), is below 0.06 of its peak (tanh) or 0.12
// (sigmoid), and the gradient through the unit all but stops.
func SaturatedFraction(y *tensor.Tensor, kind string) float64 {
	if len(y.Data) == 0 {
		return math.NaN()
	}
	n := 0
	for _, v := range y.Data {
		switch kind {
		case "tanh":
			if math.Abs(v) > 0.97 {
				n++
			}
		case "sigmoid":
			if v < 0.03 || v > 0.97 {
				n++
			}
		default:
			panic("diagnose: SaturatedFraction: unknown activation " + kind)
		}
	}
	return float64(n) / float64(len(y.Data))
}

// PerClassAccuracy returns, for each class c < classes, the fraction of the
// samples labelled c that pred gets right; NaN for a class with none.
func PerClassAccuracy(truth, pred []int, classes int) []float64 {
	if len(truth) != len(pred) {
		panic(fmt.Sprintf("diagnose: PerClassAccuracy: %d labels, %d predictions", len(truth), len(pred)))
	}
	right := make([]float64, classes)
	total := make([]float64, classes)
	for i, t := range truth {
		total[t]++
		if pred[i] == t {
			right[t]++
		}
	}
	for c := range right {
		right[c] /= total[c] // 0/0 is NaN: no sample of that class
	}
	return right
}

// NewHistogram bins values into bins equal bins between their minimum and
// maximum (non-finite values are left out), and notes their mean and
// standard deviation.
func NewHistogram(update int, layer, kind string, values []float64, bins int) Histogram {
	h := Histogram{Update: update, Layer: layer, Kind: kind, Counts: make([]int, bins)}
	lo, hi := math.Inf(1), math.Inf(-1)
	var sum, sum2, n float64
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		sum += v
		sum2 += v * v
		n++
	}
	if n == 0 {
		h.Mean, h.Std = math.NaN(), math.NaN()
		return h
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	h.Lo, h.Hi = lo, hi
	h.Mean = sum / n
	h.Std = math.Sqrt(math.Max(0, sum2/n-h.Mean*h.Mean))
	w := (hi - lo) / float64(bins)
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		i := min(int((v-lo)/w), bins-1)
		h.Counts[i]++
	}
	return h
}

// sumSq returns Σ v².
func sumSq(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return s
}

// HistUpdates returns the updates at which histograms were taken, sorted.
func (r *Recorder) HistUpdates() []int {
	seen := map[int]bool{}
	var out []int
	for _, h := range r.Hists {
		if !seen[h.Update] {
			seen[h.Update] = true
			out = append(out, h.Update)
		}
	}
	sort.Ints(out)
	return out
}
