// Part l validates while training: every 500 updates the whole validation
// set (the 50% subsample of the test split) goes through the network, and
// its mean cross-entropy and error rate are recorded. train.Run does this
// (Config.EvalEvery); this program prints the table it recorded.
//
// It reuses the model and history part k saved in -model when they were
// made with the same flags, and trains them (and saves them there) when the
// folder holds none yet; a model trained with other flags is not replaced:
// part l stops and names the flags that differ (homework.Model).
//
//	go run ./examples/partk && go run ./examples/partl
package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/backprop-go/backprop/examples/internal/homework"
)

func main() { homework.Main("partl", run) }

func run(args []string, stdout, stderr io.Writer) error {
	f, d, _, h, err := homework.LoadPartKModel("partl", args, stderr)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "validation on %d samples every %d updates (%s, hidden %s, batch %d, %s):\n\n",
		d.Val.X.Rows(), f.EvalEvery, f.Name(), f.Hidden, f.Batch, f.Schedule())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "update\tepoch\tsamples seen\tval loss\tval error\tval accuracy\t")
	best := h.Val[0]
	for _, v := range h.Val {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%.4f\t%.2f%%\t%.2f%%\t\n",
			v.Update, v.Epoch, homework.SamplesSeen(v.Update, d.Train.X.Rows(), f.Batch), v.Loss, 100*v.Error, 100*(1-v.Error))
		if v.Error < best.Error {
			best = v
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	last := h.Val[len(h.Val)-1]
	fmt.Fprintf(stdout, "\nfinal: validation accuracy %.2f%%; best %.2f%% at update %d\n",
		100*(1-last.Error), 100*(1-best.Error), best.Update)
	return nil
}
