// Package diagnose looks inside training, the way a teacher does when a
// run goes wrong: the checklists of CS231n ("babysitting the learning
// process"), Karpathy ("A Recipe for Training Neural Networks") and fast.ai
// (lr_find), computed by the library and tested on cases whose answer is
// known.
//
// It lives above train: it reads models (layers), histories and the
// training loop's hooks (train.Hook), and hands plot plain numbers. It may
// import tensor, layers, loss, gradcheck, train and plot; nothing below it
// imports it, and it never imports examples/.
//
// Before training (RunSanity):
//
//   - The loss at initialisation against ln C. An untrained classifier
//     should spread its belief evenly over the C classes, p = 1/C, so its
//     cross-entropy −ln p is ln C (2.303 for 10 classes). Much higher means
//     it is confidently wrong: weights too large, inputs not normalised.
//   - Overfitting one small batch. 20 samples are memorised by any network
//     with thousands of weights; if the loss does not reach about zero, the
//     machinery is broken (a backward bug, a learning rate far off).
//   - A gradient check of the whole network with its loss, on real samples
//     (package gradcheck does the numerical analysis).
//
// During training, a Recorder (a train.Hook) samples every Every updates:
//
//   - the update-to-weight ratio ‖Δθ‖/‖θ‖ of each layer (around 1e-3 is
//     healthy; for plain SGD it is lr·‖∂L/∂θ‖/‖θ‖),
//   - the gradient norm ‖∂L/∂θ‖ of each layer,
//   - the fraction of dead ReLU units (off for every sample of a probe
//     batch; after a convolution, dead channels: off at every position of
//     every sample) and of saturated tanh/sigmoid outputs,
//   - histograms of every layer's outputs and of ∂L/∂output at chosen
//     updates,
//   - the accuracy of each class on the validation set at every evaluation.
//
// What the network learned: NewPCA (power iteration on the covariance) and
// TSNE (exact, van der Maaten and Hinton 2008) project a hidden layer's
// activations to the plane; MostConfused finds the class pairs and images
// the network mixes up; the figures show the first layer's weights as
// images, or a convolutional network's first filters as tiles
// (FiltersFigure, Report.AddConvSection).
//
// Tools: RangeTest, the learning-rate range test (Smith 2015).
//
// Figures draws all of it as PNGs and Report gathers them into one
// self-contained HTML page. docs/diagnostics.md shows what healthy and
// broken runs look like.
package diagnose
