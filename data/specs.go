package data

import (
	"fmt"
	"strings"
)

// fileSpec names one of a dataset's four files and the checksums that
// identify it.
type fileSpec struct {
	name   string // e.g. "train-images-idx3-ubyte", without ".gz"
	sha256 string // hex SHA-256 of the decompressed IDX file
	md5    string // hex MD5 of the .gz file as the download mirrors serve it
	size   int64  // bytes of that .gz file: a download stops there
}

// spec describes one dataset: its classes, where it may live and its files.
type spec struct {
	name    string   // canonical name, also its folder under a data root
	torch   string   // torchvision's folder name; files live in <root>/<torch>/raw
	system  []string // folders a distribution package installs the files in
	debian  string   // that package's name
	mirrors []string // download base URLs, tried in order
	classes []string
	train   [2]fileSpec // images, labels
	test    [2]fileSpec // images, labels
}

// The checksums below are those of the original files; see the package
// documentation.
var fashionMNIST = &spec{
	name:    "fashion-mnist",
	torch:   "FashionMNIST",
	system:  []string{"/usr/share/datasets/fashion-mnist"},
	debian:  "dataset-fashion-mnist",
	mirrors: []string{"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"},
	classes: []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
		"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
	train: [2]fileSpec{
		{"train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", 26421880},
		{"train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", "25c81989df183df01b3e8a0aad5dffbe", 29515},
	},
	test: [2]fileSpec{
		{"t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", "bef4ecab320f06d8554ea6380940ec79", 4422102},
		{"t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", "bb300cfdad3c16e7a12a480ee83cd310", 5148},
	},
}

var mnist = &spec{
	name:  "mnist",
	torch: "MNIST",
	mirrors: []string{
		"http://yann.lecun.com/exdb/mnist/",
		"https://ossci-datasets.s3.amazonaws.com/mnist/",
	},
	classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
	train: [2]fileSpec{
		{"train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", "f68b3c2dcbeaaa9fbdd348bbdeb94873", 9912422},
		{"train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", "d53e105ee54ea40749a09fcbcd1e9432", 28881},
	},
	test: [2]fileSpec{
		{"t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", "9fb629c4189551a2d022fa330f9573f3", 1648877},
		{"t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", "ec29112dd5afa0611ce80d1b7f02629c", 4542},
	},
}

var specs = []*spec{fashionMNIST, mnist}

// lookup finds a dataset by name, ignoring case, '-' and '_'.
func lookup(name string) (*spec, error) {
	key := strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(name))
	switch key {
	case "fashionmnist", "fashion":
		return fashionMNIST, nil
	case "mnist":
		return mnist, nil
	}
	return nil, fmt.Errorf("data: unknown dataset %q (want \"fashion-mnist\" or \"mnist\")", name)
}

// files returns the image and label files of one split, with the checksums
// the tests may have substituted.
func (s *spec) files(train bool, o *Options) [2]fileSpec {
	fs := s.test
	if train {
		fs = s.train
	}
	if o.over != nil {
		for i, f := range fs {
			if g, ok := o.over.sums[s.name+"/"+f.name]; ok {
				fs[i] = g
			}
		}
	}
	return fs
}

// knownFile names the real dataset file whose decompressed SHA-256 is sum,
// e.g. "mnist train-images-idx3-ubyte", or returns "". It turns a checksum
// mismatch into a useful hint when MNIST files sit where FashionMNIST was
// expected.
func knownFile(sum string) string {
	for _, s := range specs {
		for _, f := range append(s.train[:], s.test[:]...) {
			if f.sha256 == sum {
				return s.name + " " + f.name
			}
		}
	}
	return ""
}
