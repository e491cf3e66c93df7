// Mistake: The convolution's backward pass adds δ to ∂L/∂b inside the loop over taps, at tap (0, 0) of channel 0 only, which skips the outputs whose first tap lies on the padding.
// Assignment: conv
// Loses: c2
package conv

func convBackwardNaive(g convGeom, x, w, dy, dx, dw, db []float64) {
	for i := range dx {
		dx[i] = 0
	}
	for n := 0; n < g.n; n++ {
		for f := 0; f < g.f; f++ {
			for c := 0; c < g.c; c++ {
				for u := 0; u < g.k; u++ {
					for v := 0; v < g.k; v++ {
						wi := ((f*g.c+c)*g.k+u)*g.k + v
						for i := 0; i < g.ho; i++ {
							r := i*g.s + u - g.p
							if r < 0 || r >= g.h {
								continue
							}
							for j := 0; j < g.wo; j++ {
								q := j*g.s + v - g.p
								if q < 0 || q >= g.w {
									continue
								}
								d := dy[((n*g.f+f)*g.ho+i)*g.wo+j]
								xi := ((n*g.c+c)*g.h+r)*g.w + q
								dw[wi] += d * x[xi]
								if dx != nil {
									dx[xi] += d * w[wi]
								}
								if db != nil && c == 0 && u == 0 && v == 0 {
									db[f] += d
								}
							}
						}
					}
				}
			}
		}
	}
}
