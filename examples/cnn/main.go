// Cnn trains a convolutional network on the homework's protocol, as part k
// trains the MLP: the stratified half of the training split (30,000
// images), validation on the stratified half of the test split, the other
// half held out until training is over, and the whole test split reported.
// docs/cnn.md is the lecture that goes with it.
//
//	go run ./examples/cnn                    # out/cnn
//	go run ./examples/cnn -dataset mnist     # out/cnn-mnist
//	go run ./examples/cnn -epochs 2          # a shorter run
//
// The network, with what each part buys:
//
//	Unflatten(1×28×28)                 rows of 784 pixels become images, so the
//	                                   data package's B×784 batches work unchanged
//	Conv2d(1→32, 3×3, pad 1)           32 local detectors (edges, corners), each
//	                                   9 weights shared over every position: a
//	                                   shifted stroke gives a shifted response
//	BatchNorm2d(32), ReLU              each channel standardised over batch and
//	                                   pixels: a larger rate trains stably
//	MaxPool2d(2)                       28×28 → 14×14: a little shift tolerance and
//	                                   a quarter of the work for what follows
//	Conv2d(32→64, 3×3, pad 1)          64 detectors of patterns of patterns, each
//	BatchNorm2d(64), ReLU, MaxPool2d(2)  seeing 8×8 pixels of the input; 7×7 after
//	Flatten, Linear(3136→128), ReLU    where in the image each part was found
//	Linear(128→10)                     the ten logits
//
// -channels c1,c2 gives the two convolutions c1 and c2 filters in place of
// 32 and 64 (and the first Linear c2·7·7 inputs). -convs 2 makes each
// block two convolutions deep, as in VGG: Conv2d(1→c1), BatchNorm2d, ReLU,
// Conv2d(c1→c1), BatchNorm2d, ReLU, then the pooling, and the same with
// c1→c2 and c2→c2 in the second block; a second 3×3 convolution sees 5×5
// pixels of its block's input for 18 weights per channel pair where one
// 5×5 convolution would need 25. The convolutions have no
// bias: the batch norm after each one subtracts it again. The optimiser is
// AdamW (-optimizer adamw, the default: the per-weight step size of Adam
// suits layers as different as a 9-weight filter and a 3136×128 matrix)
// or SGD with Nesterov momentum (-optimizer momentum), with a linear
// warm-up over the first -warmup epochs then a cosine decay to zero.
//
// The recipe flags, all off by default, are those of examples/recipe,
// measured for this network in docs/cnn.md ("A stronger recipe"):
// -augment k shifts each training image by up to k pixels in x and y,
// -flip mirrors it left-right with probability ½, -rotate θ turns it by
// up to ±θ degrees and -elastic α distorts it elastically (data.Augment),
// all drawn afresh every epoch; -label-smoothing α trains towards (1−α)
// on the right class and α/K spread over all K; -dropout p puts a Dropout
// layer on the 128 hidden units, before the last Linear; -tta scores the
// test images by the mean prediction over each image and its mirror
// (train.FlipAveraged), and prints the plain model's scores first.
//
//	go run ./examples/cnn -flip -label-smoothing 0.1 -tta                # FashionMNIST's
//	go run ./examples/cnn -dataset mnist -augment 2 -label-smoothing 0.1 # MNIST's
//
// Each gains from -epochs 17, which still trains in under ten minutes on
// two cores of the machine of docs/performance.md. With twice that,
// -epochs 34 -augment 1 added to FashionMNIST's recipe scores above 93%,
// and the deeper -convs 2 -channels 16,32 for 30 epochs does better on
// both datasets: 93.6–93.8% with FashionMNIST's recipe and -augment 1,
// 99.50–99.59% with MNIST's (docs/cnn.md, "Beyond ten minutes").
//
// It saves the model (modelfile, PyTorch's names), its history and its
// settings into -model (the -out folder by default; a folder that holds a
// model another program saved is refused, not replaced), and draws into
// -out: the curves (loss.png, error.png), the first layer's 32 filters at
// initialisation and after training (filters.png), the 32 feature maps
// after the first block (convolution, batch norm, ReLU) of one validation
// image of each class (features.png), and the validation confusion matrix
// (confusion.png).
package main

import (
	"fmt"
	"image"
	"io"
	"math"
	"path/filepath"

	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/diagnose"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/modelfile"
	"github.com/backprop-go/backprop/optim"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

func main() { homework.Main("cnn", run) }

// config is what settings.json records: the homework's settings and the
// CNN's own.
type config struct {
	*homework.Settings
	Optimizer   string  `json:"optimizer"`
	WeightDecay float64 `json:"weight-decay"`
	Warmup      float64 `json:"warmup"`
	Smoothing   float64 `json:"label-smoothing"` // label smoothing α of the training loss
	Shift       int     `json:"augment"`         // training images shifted by up to ±Shift pixels (0: none)
	Flip        bool    `json:"flip"`            // training images mirrored left-right with probability ½
	Rotate      float64 `json:"rotate"`          // training images turned by up to ±Rotate degrees (0: none)
	Elastic     float64 `json:"elastic"`         // α of the elastic distortion of training images, σ = 4 (0: none)
	TTA         bool    `json:"tta"`             // test accuracy of the mean prediction over each image and its mirror
	Dropout     float64 `json:"dropout"`         // drop probability before the last Linear (0: no Dropout layer)
	Channels    [2]int  `json:"channels"`        // the filters of the two blocks' convolutions, -channels
	Convs       int     `json:"convs"`           // convolutions per block, -convs
}

// Defaults of the network's training.
const (
	defaultLR     = 0.002
	defaultEpochs = 10
)

func parse(args []string, stderr io.Writer) (*config, string, error) {
	fs := homework.NewFlagSet("cnn", stderr)
	c := &config{Settings: new(homework.Settings)}
	c.RegisterSome(fs, "cnn", "dataset", "data", "download", "lr", "epochs", "updates", "batch", "eval-every", "frac", "range", "seed", "out")
	homework.SetDefault(fs, "lr", fmt.Sprint(defaultLR))
	homework.SetDefault(fs, "epochs", fmt.Sprint(defaultEpochs))
	homework.SetDefault(fs, "out", filepath.Join("out", "cnn"))
	var model string
	fs.StringVar(&model, "model", "", "folder for the model, history and settings (default: the -out folder)")
	fs.StringVar(&c.Optimizer, "optimizer", "adamw", "adamw, or momentum (SGD with Nesterov momentum 0.9)")
	fs.Float64Var(&c.WeightDecay, "weight-decay", 0.01, "weight decay: decoupled for AdamW, the L2 coefficient for -optimizer momentum")
	fs.Float64Var(&c.Warmup, "warmup", 0.5, "epochs of linear warm-up before the cosine decay")
	fs.Float64Var(&c.Smoothing, "label-smoothing", 0, "label smoothing α in [0, 1) of the training loss")
	fs.IntVar(&c.Shift, "augment", 0, "shift every training image by up to ±k pixels in x and y (0: none)")
	fs.BoolVar(&c.Flip, "flip", false, "mirror training images left-right with probability ½ (not with -dataset mnist: a mirrored digit is no digit)")
	homework.RegisterWarps(fs, &c.Rotate, &c.Elastic)
	fs.Float64Var(&c.Dropout, "dropout", 0, "dropout probability p in [0, 1) on the 128 hidden units before the last Linear (0: no Dropout layer)")
	fs.BoolVar(&c.TTA, "tta", false, "test-time flip averaging: score each test image by the mean prediction over it and its mirror (not with -dataset mnist)")
	channels := fs.String("channels", "32,64", "the numbers of filters of the two blocks' convolutions, each 1 to 256")
	fs.IntVar(&c.Convs, "convs", 1, "convolutions per block, each with its batch norm and ReLU: 1 or 2")
	c.Hidden = "" // no MLP widths: the network is newCNN's
	err := homework.Parse(fs, args, func() error {
		c.DatasetFolders(fs, "cnn")
		if err := c.Check(); err != nil {
			return err
		}
		if err := homework.CheckRecipe(c.Smoothing, c.Dropout, c.Shift, c.Rotate, c.Elastic); err != nil {
			return err
		}
		switch {
		case c.Optimizer != "adamw" && c.Optimizer != "momentum":
			return fmt.Errorf("-optimizer %q: want adamw or momentum", c.Optimizer)
		case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
			return fmt.Errorf("-weight-decay %g: want a finite number ≥ 0", c.WeightDecay)
		case !(c.Warmup >= 0) || math.IsInf(c.Warmup, 0):
			return fmt.Errorf("-warmup %g: want a finite number of epochs ≥ 0", c.Warmup)
		case (c.Flip || c.TTA) && c.Dataset == "mnist":
			return fmt.Errorf("-flip and -tta mirror images left-right: a mirrored digit is no digit (-dataset mnist)")
		case c.Batch < 2:
			return fmt.Errorf("-batch %d: batch normalisation needs at least 2 images per batch", c.Batch)
		case c.Convs != 1 && c.Convs != 2:
			return fmt.Errorf("-convs %d: want 1 or 2 convolutions per block", c.Convs)
		}
		var rest string
		n, _ := fmt.Sscanf(*channels+"$", "%d,%d%s", &c.Channels[0], &c.Channels[1], &rest)
		if n != 3 || rest != "$" || min(c.Channels[0], c.Channels[1]) < 1 || max(c.Channels[0], c.Channels[1]) > 256 {
			return fmt.Errorf("-channels %q: want the two numbers of filters, each 1 to 256, as 32,64", *channels)
		}
		return nil
	})
	if model == "" {
		model = c.Out
	}
	return c, model, err
}

func run(args []string, stdout, stderr io.Writer) error {
	c, modelDir, err := parse(args, stderr)
	if err != nil {
		return err
	}
	// Before the data is loaded and the model trained: a folder that cannot
	// take the results would throw the run away.
	if err := homework.CheckFolders("-out", c.Out); err != nil {
		return err
	}
	if err := homework.CheckModelFolder("-model", modelDir, "cnn"); err != nil {
		return err
	}
	d, err := homework.LoadData(c.Settings, stderr)
	if err != nil {
		return err
	}
	if d.TrainSplit.Rows != 28 || d.TrainSplit.Cols != 28 {
		return fmt.Errorf("%s has %d×%d images; this network is built for 28×28", c.Name(), d.TrainSplit.Rows, d.TrainSplit.Cols)
	}
	classes := d.TrainSplit.Classes
	model := newCNN(len(classes), c)
	conv1 := model.Layers()[1].(*layers.Conv2d)
	initFilters := conv1.W.Value.Clone()

	n := d.Train.X.Rows()
	total, err := c.TotalUpdates(n)
	if err != nil {
		return err
	}
	perEpoch := (n + c.Batch - 1) / c.Batch
	warm := min(int(math.Round(c.Warmup*float64(perEpoch))), total/2)
	rate := optim.Warmup(warm, optim.Cosine(c.LR, 0, total-warm))
	var opt optim.Optimizer = optim.NewAdamW(c.LR, c.WeightDecay)
	if c.Optimizer == "momentum" {
		opt = &optim.SGD{Momentum: 0.9, Nesterov: true, WeightDecay: c.WeightDecay}
	}
	loader := data.NewLoader(d.Train.X, d.Train.Y, data.LoaderOptions{
		BatchSize: c.Batch, Shuffle: true, Rng: c.Rand(homework.ForShuffle), Augment: homework.Augment(c.Settings, d, c.Shift, c.Flip, c.Rotate, c.Elastic),
	})
	fmt.Fprintf(stderr, "training %v\non %d samples, batch %d, %s lr %g, warm-up %d updates then cosine to 0 over %d updates%s, validating on %d samples every %d updates\n",
		model, n, c.Batch, c.Optimizer, c.LR, warm, total, c.extras(), d.Val.X.Rows(), c.EvalEvery)
	h, err := train.Run(model, loader, d.Val, train.Config{
		LR: c.LR, Schedule: rate, Optimizer: opt, Updates: total, EvalEvery: c.EvalEvery, Progress: stderr,
		TrainEval: homework.TrainEvalSet(c.Settings, d), LabelSmoothing: c.Smoothing,
	})
	if err != nil {
		return err // a *train.DivergedError says which update and suggests a smaller -lr
	}
	if w := homework.ChanceWarning(h, len(classes)); w != "" {
		fmt.Fprintln(stderr, w)
	}
	// Once, after training. With -tta the plain model's scores are
	// printed first, so that one run shows what the averaging buys.
	last := h.Val[len(h.Val)-1]
	var plain string
	if c.TTA {
		homework.EvaluateTest(model, d, h)
		plain = homework.Scores(last, h, d)
		h.Test = h.Test[:0]
		tta := train.FlipAveraged(model, d.TestSplit.Cols, d.TestSplit.Rows)
		last.Loss, last.Error = train.Evaluate(tta, d.Val, 0)
		homework.EvaluateTest(tta, d, h)
	} else {
		homework.EvaluateTest(model, d, h)
	}

	err = homework.SaveCurves(c.Out, h, rate, func(metric string) string {
		return fmt.Sprintf("CNN: %s, %s, batch %d, %s lr %g, cosine", metric, c.Name(), c.Batch, c.Optimizer, c.LR)
	})
	if err != nil {
		return err
	}
	if err := saveFigures(c, d, model, initFilters); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "%s CNN: %d updates (%d epochs of %d samples) in %.1fs, of which %.1fs validating\n",
		c.Name(), len(h.Train), last.Epoch, n, h.Elapsed.Seconds(), h.Evaluating.Seconds())
	if c.TTA {
		fmt.Fprintf(stdout, "without test-time flips:\n%swith test-time flips (-tta), the model's scores:\n", plain)
	}
	fmt.Fprint(stdout, homework.Scores(last, h, d))
	// Saved after the report, so that a model that cannot be saved still
	// shows what it reached.
	var extra []modelfile.StateTensor
	if st, ok := opt.(optim.Stateful); ok {
		extra = modelfile.OptimizerTensors(st, model.Params())
	}
	if err := homework.SaveModel(modelDir, "cnn", c, model, h, extra); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model, history and settings in %s; figures in %s\n", modelDir,
		filepath.Join(c.Out, "{loss,error,filters,features,confusion}.png"))
	return nil
}

// extras describes the recipe flags that are on, for the log line.
func (c *config) extras() string {
	s := ""
	if c.Smoothing > 0 {
		s += fmt.Sprintf(", label smoothing %g", c.Smoothing)
	}
	if c.Shift > 0 {
		s += fmt.Sprintf(", shifts of up to ±%d pixels", c.Shift)
	}
	if c.Flip {
		s += ", mirrored images"
	}
	if c.Rotate > 0 {
		s += fmt.Sprintf(", turns of up to ±%g°", c.Rotate)
	}
	if c.Elastic > 0 {
		s += fmt.Sprintf(", elastic distortion α = %g", c.Elastic)
	}
	if c.Dropout > 0 {
		s += fmt.Sprintf(", dropout %g", c.Dropout)
	}
	if c.TTA {
		s += ", test-time flips"
	}
	return s
}

// newCNN builds the network of the package comment, with -channels'
// numbers of filters and -convs convolutions per block.
func newCNN(classes int, c *config) *layers.Sequential {
	rng := c.Rand(homework.ForInit)
	noBias := layers.Conv2dOptions{Padding: 1, NoBias: true}
	net := []layers.Layer{layers.NewUnflatten(1, 28, 28)}
	in := 1
	for _, out := range c.Channels { // 32 and 64 unless -channels
		for range c.Convs {
			net = append(net, layers.NewConv2d(in, out, 3, noBias, rng), layers.NewBatchNorm2d(out), layers.NewReLU())
			in = out
		}
		net = append(net, layers.NewMaxPool2d(2, 0))
	}
	net = append(net, layers.NewFlatten(), layers.NewLinear(in*7*7, 128, layers.He, rng), layers.NewReLU())
	if c.Dropout > 0 {
		net = append(net, layers.NewDropout(c.Dropout, c.Rand(homework.ForDropout)))
	}
	net = append(net, layers.NewLinear(128, classes, layers.Xavier, rng))
	return layers.NewSequential(net...)
}

// firstBlock is how many layers of newCNN's network lead to the feature
// maps features.png draws: Unflatten, then the first Conv2d, BatchNorm2d
// and ReLU (with -convs 2, the first of the block's two convolutions).
const firstBlock = 4

// saveFigures draws filters.png, features.png and confusion.png.
func saveFigures(c *config, d *homework.Data, model *layers.Sequential, initFilters *tensor.Tensor) error {
	classes := d.TestSplit.Classes

	// The first layer's filters, 3×3 each, blue negative, white 0, red
	// positive, each grid in its own symmetric range.
	conv1 := model.Layers()[1].(*layers.Conv2d)
	grid := func(w *tensor.Tensor, what string) image.Image {
		f := w.Shape[0]
		k := w.Shape[2] * w.Shape[3]
		imgs, lim := diagnose.WeightImages(tensor.FromData(w.Data, f, k), f)
		return plot.ImageGridFloat(imgs, w.Shape[2], w.Shape[3], -lim, lim, nil, plot.GridOptions{
			Title: fmt.Sprintf("%s (±%.2g)", what, lim), Cols: 8, Scale: 12, Colormap: plot.Diverging,
		})
	}
	filters := diagnose.Tile([]image.Image{
		grid(initFilters, "conv1 filters at initialisation"),
		grid(conv1.W.Value, "after training"),
	}, 2)
	if err := plot.SavePNG(filepath.Join(c.Out, "filters.png"), filters); err != nil {
		return err
	}

	// One validation image of each class through the first block, in
	// evaluation mode (the batch norm uses its running statistics).
	var idx []int
	seen := map[int]bool{}
	for i, y := range d.Val.Y {
		if !seen[y] {
			seen[y] = true
			idx = append(idx, i)
		}
	}
	sortByClass(idx, d.Val.Y)
	x := tensor.New(len(idx), d.Val.X.Cols())
	for r, i := range idx {
		copy(x.Row(r), d.Val.X.Row(i))
	}
	model.SetTraining(false)
	a := x
	for _, l := range model.Layers()[:firstBlock] {
		a = l.Forward(a)
	}
	model.SetTraining(true)
	maps := a.Shape[1]
	hw := a.Shape[2] * a.Shape[3]
	var imgs [][]float64
	var captions []string
	for r, i := range idx {
		in := append([]float64(nil), x.Row(r)...)
		lo, hi := minMax(in)
		imgs = append(imgs, scale(in, lo, hi))
		captions = append(captions, classes[d.Val.Y[i]])
		for m := range maps {
			fm := a.Data[(r*maps+m)*hw : (r*maps+m+1)*hw]
			_, hi := minMax(fm)
			imgs = append(imgs, scale(append([]float64(nil), fm...), 0, hi))
			captions = append(captions, "")
		}
	}
	features := plot.ImageGridFloat(imgs, a.Shape[2], a.Shape[3], 0, 1, captions, plot.GridOptions{
		Title:        fmt.Sprintf("%s: one validation image per class (left) and its %d feature maps after conv1, BN, ReLU (each scaled to its own maximum)", c.Name(), maps),
		Cols:         maps + 1,
		Scale:        1,
		CaptionLines: 1,
	})
	if err := plot.SavePNG(filepath.Join(c.Out, "features.png"), features); err != nil {
		return err
	}

	pred := train.Predict(model, d.Val.X, 0)
	counts := homework.Confusion(d.Val.Y, pred, len(classes))
	title := fmt.Sprintf("CNN: validation confusion matrix, %s (rows: true class)", c.Name())
	return plot.SavePNG(filepath.Join(c.Out, "confusion.png"), plot.ConfusionMatrix(counts, classes, title))
}

// sortByClass orders the row indices idx by their class y[i].
func sortByClass(idx, y []int) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && y[idx[j]] < y[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

// minMax returns the smallest and largest finite value of v (0, 0 if none).
func minMax(v []float64) (lo, hi float64) {
	first := true
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		if first || x < lo {
			lo = x
		}
		if first || x > hi {
			hi = x
		}
		first = false
	}
	return lo, hi
}

// scale maps v from [lo, hi] onto [0, 1] in place (all zeros if hi ≤ lo, a
// map that is dark everywhere) and returns it.
func scale(v []float64, lo, hi float64) []float64 {
	for i, x := range v {
		if hi > lo {
			v[i] = (x - lo) / (hi - lo)
		} else {
			v[i] = 0
		}
	}
	return v
}
