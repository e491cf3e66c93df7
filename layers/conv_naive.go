package layers

// The readable reference of Conv2d: equations C1–C4 of the package
// documentation as loops over every index, the way CS231n's layers.py
// writes them. Conv2d itself runs the faster im2col form (conv.go); tests
// check that the two agree. Padding is never materialised: a tap that
// falls on the zero border reads (or writes) nothing.

// convGeom holds the sizes of one convolution: a batch of n images of c
// channels, h×w pixels, f filters of k×k, stride s, padding p, and the
// output's ho×wo (eq. C0).
type convGeom struct {
	n, c, h, w int
	f, k, s, p int
	ho, wo     int
}

// convForwardNaive computes y = X ⋆ W + b (eq. C1): y[n,f,i,j] is b[f]
// plus the sum over channels c and taps (u, v) of
// W[f,c,u,v]·X̃[n,c,s·i+u,s·j+v], X̃ the input with p zeros around it. x is
// n×c×h×w, w f×c×k×k, b has f entries (nil: no bias), y n×f×ho×wo.
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
								sum += w[((f*g.c+c)*g.k+u)*g.k+v] * x[((n*g.c+c)*g.h+r)*g.w+q] // C1
							}
						}
					}
					y[((n*g.f+f)*g.ho+i)*g.wo+j] = sum
				}
			}
		}
	}
}

// convBackwardNaive takes δ = ∂L/∂Y (n×f×ho×wo) and adds ∂L/∂W into dw and
// ∂L/∂b into db (nil: no bias), and, unless dx is nil, stores ∂L/∂X in dx.
// Each output Y[n,f,i,j] sends its δ back along the k×k taps that made it:
// to the weights by the input under each tap, to the input under each tap
// by the weight.
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
							r := g.s*i + u - g.p
							if r < 0 || r >= g.h {
								continue
							}
							for v := 0; v < g.k; v++ {
								q := g.s*j + v - g.p
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
