package train

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Point is one measurement during training.
type Point struct {
	Update int     // the number of weight updates done so far (1-based)
	Epoch  int     // the epoch the update belongs to (1-based)
	Loss   float64 // mean cross-entropy
	Error  float64 // fraction misclassified, in [0, 1]
}

// History is what a training run measured: the loss and error of every
// training batch (part m) and of the validation set every EvalEvery updates
// (parts l and n).
type History struct {
	// LR is the Config.LR of the run. With a Config.Schedule, which
	// replaces Config.LR, the rates actually used are the schedule's.
	LR    float64
	Train []Point // one per update
	Val   []Point // one per validation run
	// TrainEval holds the evaluations of Config.TrainEval, a fixed subset of
	// the training data, at the same updates as Val (empty without one).
	TrainEval []Point
	// Test holds evaluations on a held-out test set that nothing was tuned
	// on. Run never fills it (it never sees such a set): the caller
	// evaluates the finished model and appends the result, so that it is
	// saved with the rest of the history.
	Test []Point
	// Best is the validation run with the lowest error (ties: the lower
	// loss), the zero Point when there was no validation. Early stopping
	// counts from it and restore-best returns to it.
	Best Point
	// Stopped is the update after which early stopping (Config.Patience)
	// ended the run, 0 if it ran to the end.
	Stopped int
	// Restored says that Config.RestoreBest set the weights back to those of
	// Best, which differ from the last validation run's.
	Restored bool
	// Elapsed is the wall-clock time of the run. It is not written to CSV,
	// so that the same seed gives the same file to the last bit.
	Elapsed time.Duration
	// Evaluating is the part of Elapsed spent evaluating the validation
	// set and Config.TrainEval (not the hooks called after it); Elapsed −
	// Evaluating is the time of the updates. Like Elapsed, it is not
	// written to CSV.
	Evaluating time.Duration
}

// String returns Summary, so that printing a History (fmt.Println(h))
// gives one line, not every point it holds.
func (h *History) String() string { return h.Summary() }

// Summary describes the end of the run in one line.
func (h *History) Summary() string {
	s := fmt.Sprintf("%d updates", len(h.Train))
	if n := len(h.Val); n > 0 {
		v := h.Val[n-1]
		s += fmt.Sprintf(", validation loss %.4f, error %.2f%% (accuracy %.2f%%)", v.Loss, 100*v.Error, 100*(1-v.Error))
	}
	if h.Stopped > 0 {
		s += fmt.Sprintf("; stopped early, no better validation since update %d", h.Best.Update)
	}
	if h.Restored {
		s += fmt.Sprintf("; restored the best, update %d: error %.2f%%", h.Best.Update, 100*h.Best.Error)
	}
	return s
}

// csvHeader names the columns WriteCSV writes and ReadCSV expects.
var csvHeader = []string{"set", "update", "epoch", "loss", "error"}

// WriteCSV writes the history as CSV with the columns set ("train",
// "val", "train-eval" or "test", for the fields Train, Val, TrainEval and
// Test), update, epoch, loss and error. Numbers are written in the
// shortest form that reads back to the same float64, so two runs with the
// same seed give byte-identical files.
func (h *History) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	write := func(set string, pts []Point) error {
		for _, p := range pts {
			rec := []string{set, strconv.Itoa(p.Update), strconv.Itoa(p.Epoch),
				strconv.FormatFloat(p.Loss, 'g', -1, 64), strconv.FormatFloat(p.Error, 'g', -1, 64)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		return nil
	}
	if err := write("train", h.Train); err != nil {
		return err
	}
	if err := write("val", h.Val); err != nil {
		return err
	}
	if err := write("train-eval", h.TrainEval); err != nil {
		return err
	}
	if err := write("test", h.Test); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// ReadCSV reads a history written by WriteCSV. The learning rate and the
// elapsed time are not in the file and stay zero.
func ReadCSV(r io.Reader) (*History, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(csvHeader)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("train: reading history header: %w", err)
	}
	for i, name := range csvHeader {
		if head[i] != name {
			return nil, fmt.Errorf("train: history header is %v, want %v", head, csvHeader)
		}
	}
	h := &History{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return h, nil
		}
		if err != nil {
			return nil, fmt.Errorf("train: reading history: %w", err)
		}
		var p Point
		var errs [4]error
		p.Update, errs[0] = strconv.Atoi(rec[1])
		p.Epoch, errs[1] = strconv.Atoi(rec[2])
		p.Loss, errs[2] = strconv.ParseFloat(rec[3], 64)
		p.Error, errs[3] = strconv.ParseFloat(rec[4], 64)
		for _, e := range errs {
			if e != nil {
				return nil, fmt.Errorf("train: history line %d: %w", line, e)
			}
		}
		switch rec[0] {
		case "train":
			h.Train = append(h.Train, p)
		case "val":
			h.Val = append(h.Val, p)
		case "train-eval":
			h.TrainEval = append(h.TrainEval, p)
		case "test":
			h.Test = append(h.Test, p)
		default:
			return nil, fmt.Errorf("train: history line %d: unknown set %q", line, rec[0])
		}
	}
}
