// Package half converts IEEE 754 half-precision (binary16) numbers, the F16
// of safetensors and the '<f2' of numpy, to float64. It imports nothing
// but the standard library and serves the two format packages.
package half

import "math"

// ToFloat64 returns the value of the binary16 number with bits h, exactly
// (every binary16 value is a float64): 1 sign bit, 5 exponent bits with
// bias 15, 10 fraction bits; exponent 0 is zero or subnormal, 31 infinity
// or NaN.
func ToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0: // zero or subnormal: frac·2⁻²⁴
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1024+frac, exp-25) // (1 + frac/2¹⁰)·2^(exp−15)
}
