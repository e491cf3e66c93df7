// Package optim holds the optimisers, the rules that turn the gradients
// backpropagation computed into a change of the weights, and the learning-rate
// schedules that drive them. It sits on the floor above layers (it imports
// tensor and layers, and works on []*layers.Param) and below train, which
// calls it once per batch, the way torch.optim sits beside torch.nn.
//
// Every optimiser satisfies one small interface:
//
//	type Optimizer interface {
//		Step(params []*layers.Param) // update every parameter, then zero its gradient
//		SetLR(lr float64)            // the schedule's rate for the next Step
//	}
//
// layers.SGD, the homework's plain gradient descent, satisfies it too: it is
// the case of SGD below with no momentum and no weight decay.
//
// # Notation
//
// θ is one parameter tensor (a W or a b of the homework's z = W a + b),
// g = ∂L/∂θ its gradient for the current batch (what Backward accumulated in
// Param.Grad), η the learning rate, t = 1, 2, … the number of the step. All
// operations are element-wise: g² squares every element, √v takes every
// root, and the state (v, m) has the shape of θ. Plain SGD is
//
//	θ ← θ − η g.
//
// # Momentum (heavy ball)
//
// With momentum μ ∈ [0, 1) the step follows a velocity v (zero before the
// first step) that remembers past gradients:
//
//	v ← μ v + g
//	θ ← θ − η v.
//
// Unrolled, v_t = Σₛ μ^(t−s) g_s: a running sum of the gradients in which
// old ones fade by μ per step. Where the gradient keeps its sign the steps
// add up to 1/(1−μ) times a plain step (10× for μ = 0.9); where it flips
// sign from step to step (across a narrow valley) they cancel.
//
// Momentum on a quadratic is a damped oscillator. Take one direction of
// L(θ) = ½ h θ², whose gradient is g = h θ. Eliminating v from the two lines
// (η v_t = θ_(t−1) − θ_t) gives the second-order recurrence
//
//	θ_(t+1) − θ_t = μ (θ_t − θ_(t−1)) − η h θ_t,
//
// the discrete form of the damped oscillator  θ̈ + c θ̇ + k θ = 0: a mass at
// position θ, a spring of stiffness η h pulling it to 0, and friction that
// takes away the fraction 1 − μ of its velocity every step. Trying θ_t = rᵗ gives
// r² − (1 + μ − η h) r + μ = 0. Its two roots multiply to μ, so when they are
// complex, for (1−√μ)² < η h < (1+√μ)², the iterate oscillates around the
// minimum with an amplitude that shrinks by exactly √μ per step, whatever
// the curvature h: the stiff directions, which make plain SGD diverge at
// η h > 2, now only ring, and the method converges for η h < 2(1 + μ). For
// η h < (1−√μ)² the roots are real and the motion is over-damped (a slow
// slide, as in a flat direction). Plain SGD is μ = 0: one real root 1 − η h.
// Between the two, at η h = (1−√μ)², the motion is critically damped and
// settles fastest. docs/figures/optim-momentum.png draws the regimes; go run
// ./examples/optimizers -figure momentum makes it.
//
// Nesterov momentum evaluates the gradient where the velocity is about to
// carry the weights. Rewritten so that the stored θ is that look-ahead point
// (Sutskever et al. 2013; the form PyTorch uses) it is
//
//	v ← μ v + g
//	θ ← θ − η (g + μ v),
//
// which corrects the velocity a step earlier and overshoots less.
//
// # Weight decay
//
// L2 regularisation adds (λ/2)‖θ‖² to the loss, so its gradient adds λ θ to g.
// SGD does exactly that before the momentum (the "weight decay" of
// torch.optim.SGD):
//
//	g ← g + λ θ.
//
// Without momentum this is θ ← (1 − η λ) θ − η g: every step shrinks the
// weights by the factor 1 − η λ, hence the name.
//
// # Adam
//
// Adam (Kingma & Ba 2015) keeps two running averages per element, of the
// gradient (the first moment m) and of its square (the second moment v), and
// divides one by the root of the other, so that every weight moves by about η
// whatever the scale of its gradient:
//
//	m ← β₁ m + (1 − β₁) g
//	v ← β₂ v + (1 − β₂) g²
//	m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)
//	θ ← θ − η m̂ / (√v̂ + ε).
//
// The defaults are β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
//
// Bias correction. m and v start at zero, so early on they are too small:
// unrolled, m_t = (1 − β₁) Σₛ β₁^(t−s) g_s, and for a gradient that stays g
// this is (1 − β₁ᵗ) g, not g. Dividing by 1 − β₁ᵗ removes the bias exactly
// (and the same for v with β₂). It matters because the two averages warm up
// at different speeds: at t = 1, m = 0.1 g and v = 0.001 g², so without the
// correction the first step would be η · 0.1/√0.001 ≈ 3.2 η per element
// instead of η. With it, the first step is η · g/(|g| + ε), a sign step of
// size η. The code folds both corrections into scalars (PyTorch's order of
// operations, so its numbers can be compared):
//
//	θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
//
// ε keeps a weight whose gradient is always zero from dividing 0 by 0.
//
// # AdamW: decoupled weight decay
//
// Adam's WeightDecay field adds λ θ to g like SGD's, but in Adam that term is
// then divided by √v̂: weights with large gradients are hardly decayed, and
// the regulariser is no longer (λ/2)‖θ‖². AdamW (Loshchilov & Hutter 2019)
// takes the decay out of the gradient and applies it to the weights directly,
// before the Adam step, with g untouched:
//
//	θ ← θ − η λ θ
//	θ ← θ − η m̂ / (√v̂ + ε).
//
// Every weight now shrinks by the same factor 1 − η λ per step, as in SGD.
// This is torch.optim.AdamW; NewAdamW makes it.
//
// Weight decay here applies to every parameter it is given, biases included,
// as it does in PyTorch when given model.parameters().
//
// # Learning-rate schedules
//
// A Schedule gives the learning rate of each update t = 1, 2, …;
// train.Config.Schedule takes one and calls SetLR before every Step.
// StepDecay divides the rate once (the homework's -decay), Cosine anneals it
// along half a cosine,
//
//	η_t = η_min + (η − η_min) · (1 + cos(π (t−1)/T)) / 2,   t = 1 … T,
//
// Linear ramps it, and Then runs one schedule after another, so a linear
// warm-up followed by a cosine is
//
//	optim.Then(optim.Linear(lr/n, lr, n), n, optim.Cosine(lr, 0, total-n))
//
// which Warmup(n, s) writes shorter. Warm-up matters most for Adam: its first
// steps, with v̂ estimated from a handful of gradients, are the least reliable.
//
// # State and allocation
//
// Per-parameter state (a velocity, or m, v and the step count t) is kept by
// the optimiser, keyed by the parameter's Value tensor, and created the first
// time Step sees it; after that Step allocates nothing. State and LoadState
// hand it out and take it back under PyTorch's names (momentum_buffer,
// exp_avg, exp_avg_sq, step), so it can be saved with the model
// (modelfile.OptimizerTensors). LoadState refuses state that would not
// resume the training that was saved: a buffer of another shape, NaN or
// ±Inf, a parameter without state.
//
// Every Step zeroes the gradients after using them, ready for the next
// batch's Backward to accumulate into: PyTorch's optimizer.step() followed
// by optimizer.zero_grad().
package optim
