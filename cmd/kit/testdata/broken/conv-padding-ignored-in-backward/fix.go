// Mistake: The convolution's backward pass forgets the padding: taps are placed at s·i+u instead of s·i+u−p.
// Assignment: conv
// Loses: c2
package conv

func convBackwardNaive(g convGeom, x, w, dy, dx, dw, db []float64) {
	clear(dx)
	for n := 0; n < g.n; n++ {
		for f := 0; f < g.f; f++ {
			for i := 0; i < g.ho; i++ {
				for j := 0; j < g.wo; j++ {
					d := dy[((n*g.f+f)*g.ho+i)*g.wo+j] // δ[n,f,i,j]
					if db != nil {
						db[f] += d // C2: ∂L/∂b[f] = Σₙᵢⱼ δ[n,f,i,j]
					}
					for c := 0; c < g.c; c++ {
						for u := 0; u < g.k; u++ {
							r := g.s*i + u
							if r < 0 || r >= g.h {
								continue
							}
							for v := 0; v < g.k; v++ {
								q := g.s*j + v
								if q < 0 || q >= g.w {
									continue
								}
								wi, xi := ((f*g.c+c)*g.k+u)*g.k+v, ((n*g.c+c)*g.h+r)*g.w+q
								dw[wi] += d * x[xi] // C3: ∂L/∂W[f,c,u,v] = Σₙᵢⱼ δ[n,f,i,j] X̃[n,c,si+u,sj+v]
								if dx != nil {
									dx[xi] += d * w[wi] // C4: ∂L/∂X[n,c,r,q] = Σ_fij δ[n,f,i,j] W[f,c,r−si,q−sj]
								}
							}
						}
					}
				}
			}
		}
	}
}
