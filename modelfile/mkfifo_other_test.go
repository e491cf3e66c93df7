//go:build !unix

package modelfile

import "errors"

func mkfifo(path string) error { return errors.New("FIFOs need a Unix system") }
