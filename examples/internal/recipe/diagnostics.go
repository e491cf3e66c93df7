package recipe

import (
	"flag"
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/backprop-go/backprop/atomicfile"
	"github.com/backprop-go/backprop/data"
	"github.com/backprop-go/backprop/diagnose"
	"github.com/backprop-go/backprop/examples/internal/homework"
	"github.com/backprop-go/backprop/layers"
	"github.com/backprop-go/backprop/loss"
	"github.com/backprop-go/backprop/plot"
	"github.com/backprop-go/backprop/tensor"
	"github.com/backprop-go/backprop/train"
)

// DiagFlags are the flags of the diagnostics, shared by examples/diagnose
// and examples/recipe.
type DiagFlags struct {
	Sanity bool // run the checks before training
	Report bool // record diagnostics while training and write the HTML report
	LRFind bool // run the learning-rate range test first
	Every  int  // sample the per-layer diagnostics every this many updates
	Points int  // validation images projected by PCA and t-SNE
	TSNE   bool // run t-SNE (PCA is always drawn)
}

// Register defines the diagnostics flags on fs; report is -report's default.
func (g *DiagFlags) Register(fs *flag.FlagSet, report bool) {
	fs.BoolVar(&g.Sanity, "sanity", true, "check before training: loss at initialisation vs ln C + σ²/2, overfit 20 samples, gradient check of the network")
	fs.BoolVar(&g.Report, "report", report, "record diagnostics while training and write figures and report.html into -out")
	fs.BoolVar(&g.LRFind, "lrfind", true, "with -report: run the learning-rate range test before training")
	fs.IntVar(&g.Every, "diag-every", 50, "sample the per-layer diagnostics every this many updates")
	fs.IntVar(&g.Points, "points", 2000, "validation images projected to 2-D by PCA and t-SNE")
	fs.BoolVar(&g.TSNE, "tsne", true, "draw the t-SNE projection (exact, O(points²) per step)")
}

// Check reports the first diagnostics flag that cannot work.
func (g *DiagFlags) Check() error {
	switch {
	case g.Every <= 0:
		return fmt.Errorf("-diag-every %d: want a positive number of updates", g.Every)
	case g.Points < 10:
		return fmt.Errorf("-points %d: want at least 10 images to project", g.Points)
	}
	return nil
}

// RunSanity runs the checks before training (homework.RunSanity) on a
// fresh copy of the network the recipe describes.
func (r *Recipe) RunSanity(d *homework.Data, log io.Writer) (*diagnose.Sanity, error) {
	model, err := r.freshModel(d)
	if err != nil {
		return nil, err
	}
	return homework.RunSanity(model, &r.Settings, d, log)
}

// Diagnosis collects what examples/diagnose and part k -report measure
// around one training run.
type Diagnosis struct {
	Flags  DiagFlags
	Sanity *diagnose.Sanity
	LRFind *diagnose.LRFind
	Rec    *diagnose.Recorder
	InitW  *tensor.Tensor // the first layer's weights before training
	Total  int            // updates the run will take
	Times  []diagnose.KV  // how long each stage took
}

// NewDiagnosis prepares the diagnostics of the run f describes: the
// learning-rate range test if asked (on a copy of the model, restored
// afterwards), the initial first-layer weights, and a Recorder whose Hook
// goes to TrainModel.
func NewDiagnosis(g DiagFlags, r *Recipe, d *homework.Data, sanity *diagnose.Sanity, log io.Writer) (*Diagnosis, error) {
	model, err := r.freshModel(d)
	if err != nil {
		return nil, err
	}
	dg := &Diagnosis{Flags: g, Sanity: sanity}
	dg.InitW = model.Params()[0].Value.Clone()
	if dg.Total, err = r.TotalUpdates(d.Train.X.Rows()); err != nil {
		return nil, err
	}
	if g.LRFind {
		start := time.Now()
		loader, err := r.batches(d, homework.ForPlots)
		if err != nil {
			return nil, err
		}
		dg.LRFind, err = diagnose.RangeTestModel(model, loader, diagnose.LRFindOptions{Min: 1e-4, Max: 10, Steps: 200})
		if err != nil {
			return nil, err
		}
		dg.time("learning-rate range test", start)
		fmt.Fprintf(log, "learning-rate range test: lowest smoothed loss at lr %.3g, suggested lr %.3g (training with %g)\n",
			dg.LRFind.Best, dg.LRFind.Suggested, r.LR)
	}
	probe := &train.Set{}
	n := min(256, d.Train.X.Rows()) // a fixed probe batch from the training data
	probe.X = tensor.FromData(d.Train.X.Data[:n*d.Train.X.Cols()], n, d.Train.X.Cols())
	probe.Y = d.Train.Y[:n]
	dg.Rec = diagnose.NewRecorder(diagnose.RecorderOptions{
		Every: g.Every, HistAt: []int{1, (dg.Total + 1) / 2, dg.Total}, Probe: probe, Model: model,
		Classes: len(d.TrainSplit.Classes),
	})
	return dg, nil
}

func (dg *Diagnosis) time(what string, start time.Time) {
	dg.Times = append(dg.Times, diagnose.KV{Key: what, Value: fmt.Sprintf("%.1f s", time.Since(start).Seconds())})
}

// Hook returns the recorder's hook, for TrainModel.
func (dg *Diagnosis) Hook() train.Hook { return dg.Rec.Hook() }

// Write draws every figure into dir, writes the measurements as CSV and
// assembles report.html; it returns the report's path.
func (dg *Diagnosis) Write(dir string, r *Recipe, d *homework.Data, model *layers.Sequential, h *train.History, log io.Writer) (string, error) {
	classes := d.TrainSplit.Classes
	rep := &diagnose.Report{Title: fmt.Sprintf("Diagnostics: %s, %v", r.Name(), model)}
	rep.Settings = []diagnose.KV{
		{Key: "dataset", Value: fmt.Sprintf("%s, %d training and %d validation images", r.Name(), d.Train.X.Rows(), d.Val.X.Rows())},
		{Key: "network", Value: fmt.Sprint(model)},
		{Key: "training", Value: fmt.Sprintf("batch %d, %s, %d updates", r.Batch, r.Schedule(), len(h.Train))},
		{Key: "inputs", Value: "range " + r.Range},
		{Key: "seed", Value: fmt.Sprint(r.Seed)},
		{Key: "diagnostics", Value: fmt.Sprintf("sampled every %d updates on a probe batch of 256 training images; histograms at updates %v", dg.Flags.Every, dg.Rec.HistAt)},
	}
	if h.Elapsed > 0 {
		dg.Times = append(dg.Times, diagnose.KV{Key: "training (with recording)", Value: fmt.Sprintf("%.1f s", h.Elapsed.Seconds())})
	}
	if n := len(h.Val); n > 0 {
		v := h.Val[n-1]
		rep.Numbers = append(rep.Numbers, diagnose.KV{Key: "validation accuracy", Value: fmt.Sprintf("%.2f%% (loss %.4f)", 100*(1-v.Error), v.Loss)})
	}
	save := func(img image.Image, file, caption string) error {
		if err := plot.SavePNG(filepath.Join(dir, file), img); err != nil {
			return err
		}
		return rep.AddFigure(img, file, caption)
	}
	section := func(title string, text ...string) {
		rep.Sections = append(rep.Sections, diagnose.Section{Title: title, Text: text})
	}

	// Before training.
	if s := dg.Sanity; s != nil {
		section("Checks before training",
			"Loss at initialisation against ln C + σ²/2 (σ² the variance of the initial logits), overfitting 20 samples, and a gradient check of the whole network with its loss on 4 real images (see docs/diagnostics.md).")
		rep.Sections[len(rep.Sections)-1].Pre = s.String()
		rep.Numbers = append(rep.Numbers,
			diagnose.KV{Key: "loss at initialisation", Value: fmt.Sprintf("%.3f (expected ln C + σ²/2 = %.3f)", s.Init.Loss, s.Init.Expected)},
			diagnose.KV{Key: "overfit 20 samples", Value: fmt.Sprintf("loss %.3g after %d updates", s.Overfit.Losses[len(s.Overfit.Losses)-1], s.Overfit.Updates)},
			diagnose.KV{Key: "gradient check", Value: fmt.Sprintf("worst relative error %.2g", s.Grad.Worst.RelErr)})
	}
	if lr := dg.LRFind; lr != nil {
		section("Learning-rate range test",
			"One short run of plain SGD whose learning rate grows exponentially from 1e-4 to 10 (Smith 2015, fast.ai's lr_find), from the same initial weights; the weights are restored afterwards. The suggested rate is a tenth of the rate with the lowest smoothed loss.")
		if err := save(diagnose.LRFindChart(lr, "Learning-rate range test"), "lrfind.png", "Loss against learning rate (log scale)."); err != nil {
			return "", err
		}
		rep.Numbers = append(rep.Numbers, diagnose.KV{Key: "suggested learning rate", Value: fmt.Sprintf("%.3g (lowest loss at %.3g; trained with %g)", lr.Suggested, lr.Best, r.LR)})
	}

	// During training.
	section("Training curves")
	if err := save(homework.Curves(h, homework.Loss, 100, "Loss").Render(), "loss.png", "Training loss per batch (faint), its moving average, and validation loss."); err != nil {
		return "", err
	}
	rec := dg.Rec
	section("Inside the layers during training",
		"Update-to-weight ratio ‖Δθ‖/‖θ‖ of each layer per sampled update, with Karpathy's rule of thumb of about 1e-3: far above, the weights are being thrown around; far below, they hardly learn.",
		"Gradient norms, and the share of dead ReLU units (zero for every image of the probe batch) or saturated tanh/sigmoid outputs.")
	for _, fig := range []struct {
		img           image.Image
		file, caption string
	}{
		{diagnose.RatioChart(rec, "Update-to-weight ratio per layer"), "ratio.png", "‖Δθ‖/‖θ‖ per layer, log scale, with the 1e-3 line."},
		{diagnose.GradNormChart(rec, "Gradient norm per layer"), "gradnorm.png", "‖∂L/∂θ‖ per layer, log scale."},
		{diagnose.UnitsChart(rec, "Dead (ReLU) and saturated (tanh, sigmoid) units"), "units.png", "Per cent of units."},
		{diagnose.HistogramsFigure(rec, "activation", 2), "hist-activations.png", "Histograms of each layer's outputs on the probe batch at the start, the middle and the end (density, log scale)."},
		{diagnose.HistogramsFigure(rec, "gradient", 2), "hist-gradients.png", "Histograms of ∂L/∂output of each layer on the probe batch."},
		{diagnose.ClassAccuracyChart(rec, classes, "Validation accuracy per class"), "class-accuracy.png", "Accuracy of each class on the validation set at every evaluation."},
	} {
		if err := save(fig.img, fig.file, fig.caption); err != nil {
			return "", err
		}
	}
	for _, l := range rec.Layers(diagnose.Ratio) {
		rep.Numbers = append(rep.Numbers, diagnose.KV{Key: "last update/weight, " + l, Value: fmt.Sprintf("%.2g", rec.Last(l, diagnose.Ratio))})
	}
	for _, l := range rec.Layers(diagnose.Dead) {
		rep.Numbers = append(rep.Numbers, diagnose.KV{Key: "dead units at the end, " + l, Value: fmt.Sprintf("%.1f%%", 100*rec.Last(l, diagnose.Dead))})
	}

	// What the network learned.
	section("What the first layer learned",
		"Each hidden unit's 784 incoming weights drawn as a 28×28 image, blue negative, white zero, red positive: random noise at initialisation, strokes and garment outlines after training.")
	// Noise-like weights compress badly as RGBA; with 256 colours the
	// file is a quarter of the size and looks the same.
	if err := save(paletted(diagnose.WeightsFigure(dg.InitW, model.Params()[0].Value, 32, d.TrainSplit.Rows, d.TrainSplit.Cols, 8)),
		"weights.png", "First-layer weights of the first 32 hidden units, at initialisation and after training, each side in its own range ±w (the 99.5th percentile of |w|)."); err != nil {
		return "", err
	}
	hidden, labels := lastHidden(model, d.Val, dg.Flags.Points)
	section("The last hidden layer, projected to the plane",
		fmt.Sprintf("Activations of the last hidden layer (%d units) on %d validation images, coloured by true class.", hidden.Cols(), hidden.Rows()))
	start := time.Now()
	pca := diagnose.NewPCA(hidden, 2, r.Rand(homework.ForPlots))
	dg.time("PCA", start)
	pcaTitle := fmt.Sprintf("PCA: %.0f%% of the variance", 100*(pca.Variance[0]+pca.Variance[1])/pca.Total)
	if err := save(diagnose.ScatterFigure(pca.Project(hidden), labels, classes, pcaTitle, "first component", "second component"),
		"pca.png", "The two directions of largest variance (power iteration on the covariance)."); err != nil {
		return "", err
	}
	if dg.Flags.TSNE {
		start := time.Now()
		emb := diagnose.TSNE(hidden, diagnose.TSNEOptions{Seed: r.Seed})
		dg.time(fmt.Sprintf("t-SNE of %d points", hidden.Rows()), start)
		if err := save(diagnose.ScatterFigure(emb, labels, classes, "t-SNE (perplexity 30)", "", ""),
			"tsne.png", "t-SNE keeps neighbours together: distances between clusters mean little, clusters and their overlaps mean a lot."); err != nil {
			return "", err
		}
	}
	probs := probabilities(model, d.Val)
	pairs := diagnose.MostConfused(probs, d.Val.Y, 6, 6)
	section("The most confused class pairs",
		"From the off-diagonal of the validation confusion matrix, the pairs most often mixed up, each with its most confidently wrong images (true → predicted, probability of the prediction).")
	lo, hi := 0.0, 1.0
	if rg, _ := r.NormRange(); rg == data.MinusOneOne {
		lo = -1
	}
	if err := save(diagnose.ConfusedFigure(pairs, d.Val.X, d.TrainSplit.Rows, d.TrainSplit.Cols, lo, hi, classes, "Most confused pairs"),
		"confused.png", "One row per pair, most frequent first."); err != nil {
		return "", err
	}
	var cm strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&cm, "%-12s → %-12s %4d images\n", classes[p.True], classes[p.Pred], p.Count)
	}
	rep.Sections[len(rep.Sections)-1].Pre = cm.String()

	rep.Numbers = append(rep.Numbers, dg.Times...)
	for _, c := range []struct {
		file  string
		write func(io.Writer) error
	}{{"diagnostics.csv", rec.WriteCSV}, {"histograms.csv", rec.WriteHistogramsCSV}, {"history.csv", h.WriteCSV}} {
		if err := atomicfile.Write(filepath.Join(dir, c.file), c.write); err != nil {
			return "", err
		}
	}
	path := filepath.Join(dir, "report.html")
	if err := rep.WriteFile(path); err != nil {
		return "", err
	}
	return path, nil
}

// paletted converts img to the 256 colours of palette.Plan9, nearest
// colour without dithering.
func paletted(img image.Image) image.Image {
	p := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.Draw(p, p.Rect, img, img.Bounds().Min, draw.Src)
	return p
}

// lastHidden returns the output of the last hidden layer (the input of the
// last Linear layer) for the first n samples of set, and their labels.
func lastHidden(model *layers.Sequential, set *train.Set, n int) (*tensor.Tensor, []int) {
	defer model.SetTraining(model.Training())
	model.SetTraining(false)
	n = min(n, set.X.Rows())
	cols := set.X.Cols()
	ls := model.Layers()
	last := len(ls) - 1
	for last > 0 {
		if _, ok := ls[last].(*layers.Linear); ok {
			break
		}
		last--
	}
	x := tensor.FromData(set.X.Data[:n*cols], n, cols)
	for _, l := range ls[:last] {
		x = l.Forward(x)
	}
	return x.Clone(), set.Y[:n]
}

// probabilities returns the softmax output of model for every sample of set.
func probabilities(model *layers.Sequential, set *train.Set) *tensor.Tensor {
	defer model.SetTraining(model.Training())
	model.SetTraining(false)
	n, cols := set.X.Rows(), set.X.Cols()
	var out *tensor.Tensor
	var sm loss.Softmax
	for lo := 0; lo < n; lo += 1000 {
		hi := min(lo+1000, n)
		p := sm.Forward(model.Forward(tensor.FromData(set.X.Data[lo*cols:hi*cols], hi-lo, cols)))
		if out == nil {
			out = tensor.New(n, p.Cols())
		}
		copy(out.Data[lo*p.Cols():], p.Data)
	}
	return out
}
