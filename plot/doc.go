// Package plot draws the homework's figures — grids of images with captions,
// training curves, a confusion matrix, class counts — as PNG files, using
// nothing but the standard library's image, image/color, image/draw and
// image/png.
//
// It exists so that the project keeps its promise of zero dependencies: a
// student who clones the repository can look at the data, the loss curves
// and the mistakes of a network without installing Python or a plotting
// library. It is small enough to read in one sitting, and general enough to
// reuse for one's own figures.
//
// Every figure is an *image.RGBA that SavePNG writes to disk:
//
//   - ImageGrid and ImageGridFloat lay out grey images (0–255 bytes, or
//     floats mapped from [lo, hi]) with a caption under each, such as
//     "Shirt → T-shirt/top" for a wrong prediction.
//   - LineChart plots one or more Series on shared axes with "1-2-5" ticks,
//     an optional logarithmic y axis, and a legend; Smooth computes a moving
//     average for noisy per-update losses.
//   - ConfusionMatrix shades a table of counts, true class by row and
//     predicted class by column.
//   - BarChart shows one number per label, such as images per class.
//   - Histogram compares distributions as density outlines, such as a
//     layer's activations at the start and the end of training.
//
// For the diagnostics of training (package diagnose) LineChart also takes a
// logarithmic x axis (LogX, for a learning rate), a dot size per series
// (Series.Radius, for a scatter plot: Width −1 and Markers), and
// ImageGridFloat a colour map (GridOptions.Colormap; Diverging maps signed
// values to blue-white-red, for weights drawn as images).
//
// Text is set in a built-in 5×9 pixel bitmap font covering printable ASCII
// plus a few symbols (→ … × ± ε η δ); DrawText and DrawTextUp draw it at any
// integer scale, so the package never needs a font file.
package plot
