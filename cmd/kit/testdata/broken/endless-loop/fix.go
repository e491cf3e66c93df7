// Mistake: The inner loop of the matrix product never increments its counter and runs forever.
// Loses: f
package mlp

func NaiveGemm(transA, transB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; {
				x, y := a[i*k+p], b[p*n+j]
				if transA {
					x = a[p*m+i]
				}
				if transB {
					y = b[j*k+p]
				}
				s += x * y
			}
			c[i*n+j] = alpha*s + beta*c[i*n+j]
		}
	}
}
