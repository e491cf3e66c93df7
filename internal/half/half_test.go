package half

import (
	"fmt"
	"math"
	"testing"

	"github.com/backprop-go/backprop/internal/numtest"
)

func TestToFloat64(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float64
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x3555, 0.333251953125},
		{0x0001, math.Ldexp(1, -24)}, {0x03ff, math.Ldexp(1023, -24)}, {0x0400, math.Ldexp(1, -14)},
		{0x7bff, 65504}, {0x7c00, math.Inf(1)}, {0xfc00, math.Inf(-1)},
	} {
		numtest.Same(t, fmt.Sprintf("ToFloat64(%#04x)", c.h), ToFloat64(c.h), c.want)
	}
	numtest.Same(t, "ToFloat64(0x8000)", ToFloat64(0x8000), math.Copysign(0, -1))
	if !math.IsNaN(ToFloat64(0x7e00)) {
		t.Error("0x7e00 is not NaN")
	}
}
