// Package data loads the FashionMNIST and MNIST image datasets and turns
// them into what a network trains on: a matrix of inputs, a stratified
// subsample, and mini-batches.
//
//	train, err := data.FashionMNIST(true, data.Options{Download: true})
//	half := train.Subset(data.StratifiedSubsample(train.Labels, 10, 0.5, rng))
//	x := data.Normalize(half, data.ZeroOne) // 30000×784, one image per row
//	batches := data.NewLoader(x, half.IntLabels(), data.LoaderOptions{BatchSize: 64, Shuffle: true, Rng: rng})
//
// # The IDX file format
//
// Both datasets come as four files in LeCun's IDX format, usually
// gzip-compressed: train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte. An IDX file is
//
//	00 00 TT DD          magic: two zero bytes, element type TT, DD dimensions
//	s₁ s₂ … s_DD         each size a big-endian uint32, outermost first
//	elements             s₁·s₂·…·s_DD of them, row-major, nothing after
//
// Here TT is always 08 (unsigned bytes). An image file has DD = 3 and
// sizes N, 28, 28; a label file has DD = 1 and size N, one byte per label.
// The whole training image file is thus 16 + 60000·784 bytes.
//
// The reader accepts compressed or plain files (it looks for gzip's magic
// bytes 1f 8b rather than trusting the name) and reports, naming the file,
// a wrong magic number, an element type other than bytes, a truncated or
// over-long file, image and label counts that disagree, and labels out of
// range. It never trusts the sizes in a header to allocate memory the file
// could not fill.
//
// # Where the files are found
//
// Load searches, in order:
//
//  1. Options.Root, if set;
//  2. the folder named by $BACKPROP_DATA, if set;
//  3. ./data, relative to the working directory;
//  4. the user cache folder, os.UserCacheDir()/backprop: ~/.cache/backprop
//     on Linux, ~/Library/Caches/backprop on macOS;
//  5. for FashionMNIST, /usr/share/datasets/fashion-mnist, where Debian's
//     package dataset-fashion-mnist installs it.
//
// Under each of the first four roots it accepts the files in
// <root>/fashion-mnist/ (or <root>/mnist/), in torchvision's
// <root>/FashionMNIST/raw/ (or <root>/MNIST/raw/), or directly in <root>,
// each file as <name>.gz or uncompressed <name>. The two datasets' files
// have the same names, so files directly in a root are told apart by their
// checksums: FashionMNIST never loads MNIST's files.
//
// If no folder holds a valid copy and Options.Download is set, the files
// are downloaded, as torchvision does, from the official mirrors
// (FashionMNIST: Zalando's S3 bucket; MNIST: LeCun's site, then
// ossci-datasets on S3, tried in order) into <cache>/<name>/, where
// <cache> is Root if set, else $BACKPROP_DATA, else the user cache folder.
// Not ./data: in a clone of this repository that is the data package's own
// source folder, and a download would land among its Go files; the user
// cache folder is outside any clone, is shared by every program and working
// folder (one download serves them all), and is where the system expects
// files that can be fetched again. Each download
// goes to a temporary file in that folder and is renamed into place only
// after its checksums pass, so an interrupted or corrupt download leaves
// nothing a later run would trust. A server that sends nothing for
// Options.IdleTimeout (30 s) fails the download instead of hanging it; one
// that trickles bytes meets Options.Timeout (10 minutes for the split); a
// body longer than the known size of the .gz file is cut off there.
// Otherwise the error lists every folder looked in, why each was passed
// over, and how to get the data.
//
// # Checksums
//
// Every file is checked against the SHA-256 of its decompressed IDX bytes,
// the one fingerprint that holds for every copy, however it was
// recompressed (Debian's gzip files differ from the mirrors'). The hash is
// computed while decompressing, in the same single pass as parsing, so
// loading the 47 MB training images costs one gzip decompression. Fresh
// downloads are also checked against the MD5 of the .gz file that the
// mirrors publish (and torchvision checks).
//
//	file                     FashionMNIST SHA-256   MNIST SHA-256
//	train-images-idx3-ubyte  c59f468a2f672dc8…      ba891046e6505d7a…
//	train-labels-idx1-ubyte  bad3541b69d91243…      65a50cbbf4e906d7…
//	t10k-images-idx3-ubyte   5b4141f0afbad91e…      0fa7898d509279e4…
//	t10k-labels-idx1-ubyte   0402a96d92fd2663…      ff7bcfd416de3373…
//
// # Normalisation
//
// A network learns best from inputs of order one, not 0..255. Normalize
// flattens each 28×28 image into a row of 784 values and scales each grey
// value v to v/255 ∈ [0, 1] (ZeroOne) or v/127.5 − 1 ∈ [−1, 1]
// (MinusOneOne). The result is the N×784 input matrix A whose rows are
// examples: the first layer of an MLP computes z = W a + b for each
// column-vector example a, which over a batch of rows is Z = A Wᵀ + b.
//
// # Stratified sampling
//
// The homework trains on half of the training set. Drawing half the
// indices at random (RandomSubsample) keeps each class's share only on
// average; StratifiedSubsample instead keeps round(f·n_c) of the n_c
// examples of every class c, chosen at random, so each class shrinks by
// exactly the same factor f (up to rounding): with FashionMNIST's 6,000
// images per class and f = 0.5, exactly 3,000 of each. Indices come back
// sorted; Dataset.Subset copies the chosen images and keeps their labels in
// step.
//
// # Mini-batches
//
// A Loader serves the rows of A in batches of BatchSize (64 by default),
// visiting every example exactly once per epoch, in a fresh random order
// each epoch when shuffling. The last batch of an epoch holds the
// remaining rows (fewer than BatchSize) unless DropLast is set. Batches
// are copied into buffers the Loader reuses, so training allocates nothing
// per step. All randomness comes from an explicit *rand.Rand: the same
// seed gives the same subsample and the same batches.
//
// # Augmentation
//
// A label does not change when an image moves by a pixel or two, so a
// Loader with LoaderOptions.Augment shows the network a randomly shifted
// copy of each image every time it is served: image x(u, v) becomes
//
//	x′(u, v) = x(u − dx, v − dy),   dx, dy uniform in {−k, …, k},
//
// with the background value Fill where u − dx or v − dy falls outside the
// image. The training set effectively grows (2k+1)²-fold, and the network
// must recognise a shape wherever it is, not memorise pixels; an MLP, which
// has no built-in notion of neighbouring pixels, profits most. Shifts of
// k = 1 or 2 keep the 28×28 objects inside the frame (MNIST digits sit in a
// 20×20 box in the middle; FashionMNIST items fill more of it, so use k = 1
// there). With FlipH, half of the images are also mirrored left to right,
// x′(u, v) = x(w − 1 − u, v): right for FashionMNIST, whose classes are
// symmetric (a mirrored sneaker is a sneaker), and wrong for digits, where a
// mirrored 2, 3, 4, 5, 7 or 9 is not a digit of its class at all.
//
// With Rotate, each image is also turned about its centre c by an angle θ
// drawn uniformly from ±Rotate degrees, between the mirror and the shift:
//
//	x′(u, v) = x(c + R(−θ)·((u − dx, v − dy) − c)),
//
// with R(θ) the rotation matrix [cos θ, −sin θ; sin θ, cos θ], which turns
// clockwise on a screen whose rows run downwards. The point read falls
// between pixels, so x there is interpolated bilinearly from the four
// pixels around it (those outside the image count as Fill): the same
// weights as the pixel's distances along each axis, which reproduce any
// image that is linear in u and v exactly. Writers tilt their digits by a
// few degrees either way; FashionMNIST's photographs are all upright.
//
// With Elastic (Simard, Steinkraus and Platt, "Best practices for
// convolutional neural networks applied to visual document analysis",
// 2003), every pixel is then read from a point displaced by its own small
// vector: two fields Δx(u, v), Δy(u, v) of independent uniform noise in
// (−1, 1) are smoothed by a Gaussian of ElasticSigma = σ pixels and scaled
// by Elastic = α, and x′(u, v) reads the turned, shifted image at
// (u + Δx, v + Δy), bilinearly. The smoothing makes neighbouring pixels
// move alike, so a stroke bends as a pen's would: without it each pixel
// would jump on its own and the image dissolve into noise, and with a σ
// much larger than the image the field would be one shift. The Gaussian
// is separable, so the smoothing costs 2·(2r+1) multiply-adds per pixel
// and field, r = ⌈3σ⌉ (25 taps for σ = 4): an image's distortion costs
// some thirty of its shifts (BenchmarkAugmentApply).
//
// Augmentation is a regulariser: it fights over-fitting at the price of
// fitting the training set more slowly, so it pays off in long runs and can
// hurt short ones. It applies to training batches only; the validation and
// test images are evaluated as they are (or, for a model trained with
// flips, averaged over the image and its mirror, see train.FlipAveraged).
// The shift, flip, angle and fields are drawn from Augment.Rng and
// written straight into the Loader's batch buffer, so augmented training
// still allocates nothing per step. Augment.Apply applies the same
// transformation to one image, for plotting (go run ./examples/augment
// draws docs/figures/augment.png, and docs/figures/augment-mnist.png with
// turns and elastic distortions).
package data
