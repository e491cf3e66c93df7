// Mistake: The convolution's forward pass flips the filter (a true convolution, W[f,c,k−1−u,k−1−v]) where the library, PyTorch and CS231n correlate.
// Assignment: conv
// Loses: c1
package conv

func convForwardNaive(g convGeom, x, w, b, y []float64) {
	for n := 0; n < g.n; n++ {
		for f := 0; f < g.f; f++ {
			for i := 0; i < g.ho; i++ {
				for j := 0; j < g.wo; j++ {
					var sum float64
					if b != nil {
						sum = b[f]
					}
					for c := 0; c < g.c; c++ {
						for u := 0; u < g.k; u++ {
							r := g.s*i + u - g.p // row of X under tap u
							if r < 0 || r >= g.h {
								continue // on the zero padding
							}
							for v := 0; v < g.k; v++ {
								q := g.s*j + v - g.p // column of X under tap v
								if q < 0 || q >= g.w {
									continue
								}
								sum += w[((f*g.c+c)*g.k+g.k-1-u)*g.k+g.k-1-v] * x[((n*g.c+c)*g.h+r)*g.w+q] // C1
							}
						}
					}
					y[((n*g.f+f)*g.ho+i)*g.wo+j] = sum
				}
			}
		}
	}
}
