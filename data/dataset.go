package data

import "fmt"

// Dataset is one split of an image classification dataset held in memory:
// N grey images of Rows×Cols pixels and one label per image.
type Dataset struct {
	// Name is the dataset's canonical name: "fashion-mnist" or "mnist".
	Name string
	// Train tells whether this is the training split (60,000 images for
	// both datasets) or the test split (10,000).
	Train bool
	// Images holds N*Rows*Cols grey values, 0 (background) to 255, image i
	// at Images[i*Rows*Cols : (i+1)*Rows*Cols], each image row-major.
	Images []uint8
	// Labels holds N class indices in [0, len(Classes)), in step with Images.
	Labels []uint8
	// N is the number of images; Rows and Cols are the size of each.
	N, Rows, Cols int
	// Classes names each label value: Classes[Labels[i]] is image i's class.
	Classes []string
	// Source is the folder the files were read from, or the mirror URL
	// they were just downloaded from.
	Source string
}

// Image returns image i as Rows*Cols grey values in row-major order. The
// slice shares the dataset's memory.
func (d *Dataset) Image(i int) []uint8 {
	if i < 0 || i >= d.N {
		panic(fmt.Sprintf("data: Image: index %d out of range [0, %d)", i, d.N))
	}
	n := d.Rows * d.Cols
	return d.Images[i*n : (i+1)*n : (i+1)*n]
}

// Subset returns a new dataset holding copies of the images idx lists, in
// that order, with their labels kept in step. Indices may repeat.
func (d *Dataset) Subset(idx []int) *Dataset {
	n := d.Rows * d.Cols
	s := *d
	s.N = len(idx)
	s.Images = make([]uint8, 0, len(idx)*n)
	s.Labels = make([]uint8, len(idx))
	s.Classes = append([]string(nil), d.Classes...)
	for k, i := range idx {
		s.Images = append(s.Images, d.Image(i)...)
		s.Labels[k] = d.Labels[i]
	}
	return &s
}

// ClassCounts returns how many images each class has, indexed by label.
func (d *Dataset) ClassCounts() []int {
	c := make([]int, len(d.Classes))
	for _, y := range d.Labels {
		c[y]++
	}
	return c
}

// IntLabels returns the labels as ints, the form losses and Loader take.
func (d *Dataset) IntLabels() []int {
	y := make([]int, len(d.Labels))
	for i, v := range d.Labels {
		y[i] = int(v)
	}
	return y
}

// newDataset assembles a split from its decoded image and label files and
// checks that they belong together.
func newDataset(s *spec, train bool, images, labels *idx, source string) (*Dataset, error) {
	split := "test"
	if train {
		split = "train"
	}
	if len(images.dims) != 3 {
		return nil, fmt.Errorf("data: %s %s: image file has dimensions %v, want 3 (count, rows, cols)", s.name, split, images.dims)
	}
	if len(labels.dims) != 1 {
		return nil, fmt.Errorf("data: %s %s: label file has dimensions %v, want 1 (count)", s.name, split, labels.dims)
	}
	if images.dims[0] != labels.dims[0] {
		return nil, fmt.Errorf("data: %s %s: %d images but %d labels", s.name, split, images.dims[0], labels.dims[0])
	}
	for i, y := range labels.data {
		if int(y) >= len(s.classes) {
			return nil, fmt.Errorf("data: %s %s: label %d of image %d out of range [0, %d)", s.name, split, y, i, len(s.classes))
		}
	}
	return &Dataset{
		Name:    s.name,
		Train:   train,
		Images:  images.data,
		Labels:  labels.data,
		N:       images.dims[0],
		Rows:    images.dims[1],
		Cols:    images.dims[2],
		Classes: append([]string(nil), s.classes...),
		Source:  source,
	}, nil
}
