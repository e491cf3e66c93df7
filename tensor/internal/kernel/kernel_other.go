//go:build !(amd64 || arm64) || purego

package kernel

// Accelerated reports whether [Fast] is an assembly kernel. Under the build
// tag purego, or off amd64, it is always false.
func Accelerated() bool { return false }

func addAsm(map[string]Func) {}

func narrowTwins(string) (cols10, rows10 Func) { return nil, nil }

func strip(string) StripFunc { return nil }
