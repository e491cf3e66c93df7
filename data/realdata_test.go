package data_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/backprop-go/backprop/data"
)

// loadReal loads a real dataset from the usual places ($BACKPROP_DATA
// among them). Without the data the test is skipped, unless
// BACKPROP_REQUIRE_DATA=1 (as in CI), which makes it fail.
func loadReal(tb testing.TB, name string, train bool) *data.Dataset {
	tb.Helper()
	key := fmt.Sprint(name, train)
	if d, ok := loaded[key]; ok {
		return d
	}
	d, err := data.Load(name, train, data.Options{})
	if errors.Is(err, data.ErrNotFound) {
		if os.Getenv("BACKPROP_REQUIRE_DATA") == "1" {
			tb.Fatalf("BACKPROP_REQUIRE_DATA=1 but: %v", err)
		}
		tb.Skipf("%s not available: set %s to a folder holding fashion-mnist/ and mnist/ "+
			"(each with the four *-ubyte.gz files), or apt-get install dataset-fashion-mnist, "+
			"or run once with data.Options{Download: true}. Details:\n%v", name, data.EnvData, err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	loaded[key] = d
	return d
}

// loaded keeps the datasets the tests have loaded, to load each only once.
// Tests must not modify them.
var loaded = map[string]*data.Dataset{}

// idxSHA256 re-encodes what was loaded as the original IDX file and hashes
// it: equal to the published SHA-256 only if every byte was parsed right.
func idxSHA256(dims []int, body []uint8) string {
	h := sha256.New()
	h.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(d)))
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func TestRealDatasets(t *testing.T) {
	fashionCounts := func(n int) []int { return []int{n, n, n, n, n, n, n, n, n, n} }
	for _, c := range []struct {
		name           string
		train          bool
		n              int
		counts         []int
		first          []uint8
		imgSHA, labSHA string // from the datasets' README
	}{
		{"fashion-mnist", true, 60000, fashionCounts(6000), []uint8{9, 0, 0, 3, 0, 2, 7, 2, 5, 5},
			"c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
			"bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
		{"fashion-mnist", false, 10000, fashionCounts(1000), nil,
			"5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
			"0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
		{"mnist", true, 60000, []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
			[]uint8{5, 0, 4, 1, 9, 2, 1, 3, 1, 4},
			"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
			"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
		{"mnist", false, 10000, nil, nil,
			"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
			"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
	} {
		d := loadReal(t, c.name, c.train)
		if d.Name != c.name || d.Train != c.train || d.N != c.n || d.Rows != 28 || d.Cols != 28 ||
			len(d.Images) != c.n*784 || len(d.Labels) != c.n || len(d.Classes) != 10 {
			t.Fatalf("%s train=%v: got %s train=%v N=%d %d×%d", c.name, c.train, d.Name, d.Train, d.N, d.Rows, d.Cols)
		}
		if c.counts != nil && !slices.Equal(d.ClassCounts(), c.counts) {
			t.Errorf("%s train=%v: class counts %v, want %v", c.name, c.train, d.ClassCounts(), c.counts)
		}
		if c.first != nil && !slices.Equal(d.Labels[:10], c.first) {
			t.Errorf("%s: first labels %v, want %v", c.name, d.Labels[:10], c.first)
		}
		if got := idxSHA256([]int{d.N, 28, 28}, d.Images); got != c.imgSHA {
			t.Errorf("%s train=%v: images hash to %s, want %s", c.name, c.train, got, c.imgSHA)
		}
		if got := idxSHA256([]int{d.N}, d.Labels); got != c.labSHA {
			t.Errorf("%s train=%v: labels hash to %s, want %s", c.name, c.train, got, c.labSHA)
		}
		t.Logf("%s train=%v: loaded from %s", c.name, c.train, d.Source)
	}
	if d := loadReal(t, "fashion", false); d.Classes[0] != "T-shirt/top" || d.Classes[9] != "Ankle boot" {
		t.Errorf("FashionMNIST classes %q", d.Classes)
	}
}

// The homework's split: half of the training set, every class halved.
func TestRealStratifiedHalf(t *testing.T) {
	d := loadReal(t, "mnist", true)
	keep := data.StratifiedSubsample(d.Labels, 10, 0.5, rand.New(rand.NewPCG(1, 1)))
	half := d.Subset(keep)
	for c, n := range d.ClassCounts() {
		if got, want := half.ClassCounts()[c], (n+1)/2; got != want {
			t.Errorf("class %d: %d of %d kept, want %d", c, got, n, want)
		}
	}
}

func BenchmarkLoadFashionMNISTTrain(b *testing.B) {
	loadReal(b, "fashion-mnist", true) // skip early when missing; the loop loads anew
	b.SetBytes(60000*784 + 60000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := data.FashionMNIST(true, data.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalize(b *testing.B) {
	d := &data.Dataset{N: 60000, Rows: 28, Cols: 28, Images: make([]uint8, 60000*784)}
	for i := range d.Images {
		d.Images[i] = uint8(i * 7)
	}
	b.SetBytes(int64(len(d.Images)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data.Normalize(d, data.ZeroOne)
	}
}
