package solution

import (
	"path/filepath"

	"github.com/backprop-go/backprop/plot"
)

// SaveCurves draws the training and validation curves of h into dir:
// loss.png (the loss of every update's batch and of every validation, against
// the update) and error.png (the same for the error rate). dir must exist.
func SaveCurves(h History, dir string) error {
	var valX, valLoss, valErr []float64
	for _, e := range h.Val {
		valX = append(valX, float64(e.Update))
		valLoss = append(valLoss, e.Loss)
		valErr = append(valErr, e.Error)
	}
	updates := make([]float64, len(h.Loss))
	for i := range updates {
		updates[i] = float64(i + 1)
	}
	charts := []struct {
		file, what  string
		train, vals []float64
	}{
		{"loss.png", "loss", h.Loss, valLoss},
		{"error.png", "error rate", h.Error, valErr},
	}
	for _, c := range charts {
		chart := plot.LineChart{
			Title:  "training and validation " + c.what,
			XLabel: "update", YLabel: c.what,
			Series: []plot.Series{
				{Name: "training batch", X: updates, Y: c.train},
				{Name: "validation", X: valX, Y: c.vals, Markers: true},
			},
		}
		if err := plot.SavePNG(filepath.Join(dir, c.file), chart.Render()); err != nil {
			return err
		}
	}
	return nil
}
