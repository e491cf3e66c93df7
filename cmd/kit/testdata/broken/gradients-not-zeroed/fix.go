// Mistake: The SGD step does not zero the gradients, so each batch's gradient is added to all the earlier ones.
// Loses: k
package mlp

import "github.com/backprop-go/backprop/layers"

func (o *SGD) Step(params []*layers.Param) {
	for _, p := range params {
		for i, g := range p.Grad.Data {
			p.Value.Data[i] -= o.LR * g
		}
	}
}
