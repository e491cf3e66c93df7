package plot_test

import (
	"fmt"
	"image/color"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/backprop-go/backprop/plot"
)

// Axis ticks step by 1, 2 or 5 times a power of ten, and are labelled
// compactly.
func ExampleNiceTicks() {
	fmt.Println(plot.NiceTicks(0, 10000, 6))
	fmt.Println(plot.TickLabels(plot.NiceTicks(0, 10000, 6)))
	fmt.Println(plot.NiceTicks(0.02, 2.7, 8))
	fmt.Println(plot.LogTicks(0.02, 3, 10))
	// Output:
	// [0 2000 4000 6000 8000 10000]
	// [0 2k 4k 6k 8k 10k]
	// [0.5 1 1.5 2 2.5]
	// [0.02 0.05 0.1 0.2 0.5 1 2]
}

func ExampleFormatNumber() {
	for _, v := range []float64{0.25, 0.1 + 0.2, 1000, 12500, 2e-5} {
		fmt.Print(plot.FormatNumber(v), " ")
	}
	fmt.Println()
	// Output: 0.25 0.3 1000 12.5k 2e-5
}

func ExampleTextWidth() {
	// The built-in font is proportional: "1" is narrower than "W". Body text
	// (scale 1) magnifies the 5×9 design 1.5 times, titles (scale 2) twice.
	fmt.Println(plot.TextWidth("1", 1), plot.TextWidth("W", 1), plot.TextWidth("W", 2))
	// Output: 5 8 10
}

// Smooth averages each point with its neighbours, which turns the jagged
// loss of single mini-batches into a readable curve. It stops where the
// window no longer fits before the end (NaN, which a LineChart skips).
func ExampleSmooth() {
	fmt.Println(plot.Smooth([]float64{1, 3, 2, 4, 3, 5}, 3))
	// Output: [1 2 3 3 4 NaN]
}

// The homework's training figure: the loss of every update, drawn faint,
// its moving average, and the validation loss every 500 updates.
func ExampleLineChart() {
	var updates, loss, valAt, valLoss []float64
	for i := 0; i < 5000; i++ {
		updates = append(updates, float64(i))
		loss = append(loss, 0.4+2*math.Exp(-float64(i)/800)+0.2*math.Sin(float64(i)*1.7))
		if i%500 == 0 {
			valAt = append(valAt, float64(i))
			valLoss = append(valLoss, 0.45+2*math.Exp(-float64(i)/800))
		}
	}
	chart := plot.LineChart{
		Title:  "Cross-entropy loss",
		XLabel: "updates",
		YLabel: "loss",
		Series: []plot.Series{
			{Name: "training", X: updates, Y: loss, Color: color.NRGBA{31, 119, 180, 60}},
			{Name: "training, mean of 100", X: updates, Y: plot.Smooth(loss, 100), Color: plot.Palette[0]},
			{Name: "validation", X: valAt, Y: valLoss, Color: plot.Palette[1], Markers: true},
		},
	}
	img := chart.Render()

	dir, err := os.MkdirTemp("", "plot-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := plot.SavePNG(filepath.Join(dir, "out", "loss.png"), img); err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Bounds().Size())
	// Output: (900,500)
}

// Misclassified test images with "true → predicted" captions in red.
func ExampleImageGrid() {
	// Three 2×2 images, 0 black to 255 white.
	images := [][]uint8{{0, 255, 255, 0}, {255, 0, 0, 255}, {128, 128, 128, 128}}
	captions := []string{"Shirt → T-shirt/top", "Pullover → Coat", "Sneaker → Sandal"}
	red := color.RGBA{200, 0, 0, 255}
	img := plot.ImageGrid(images, 2, 2, captions, plot.GridOptions{
		Title:        "Mistakes",
		Scale:        40, // 2×2 → 80×80
		CaptionColor: []color.Color{red, red, red},
	})
	fmt.Println(img.Bounds().Size())
	// Output: (288,170)
}

func ExampleConfusionMatrix() {
	counts := [][]int{
		{90, 10},
		{5, 95},
	}
	img := plot.ConfusionMatrix(counts, []string{"cat", "dog"}, "Test set")
	fmt.Println(img.Bounds().Size())
	// Output: (271,198)
}
