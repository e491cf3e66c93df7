module github.com/backprop-go/backprop/bench

go 1.26

require (
	github.com/backprop-go/backprop v0.0.0
	gonum.org/v1/gonum v0.17.0
)

replace github.com/backprop-go/backprop => ../
