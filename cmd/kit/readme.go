package main

import (
	"fmt"
	"strings"
)

// readme returns the student's README.md of a: the embedded text with the table
// of parts generated from a's parts and files, so the functions it lists are
// the ones the kit blanks.
func (a *assignment) readme() string {
	funcs := map[string][]string{} // part → functions
	for _, f := range a.Files {
		for _, it := range f.Items {
			if it.Part != "" {
				funcs[it.Part] = append(funcs[it.Part], "`"+it.Name+"` ("+f.Name+")")
			}
		}
	}
	var b strings.Builder
	b.WriteString("| part | what | you write | points | typical time |\n| --- | --- | --- | --- | --- |\n")
	for _, p := range a.Parts {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d min |\n", p.ID, p.Title, strings.Join(funcs[p.ID], ", "), p.Max, p.Minutes)
	}
	return strings.Replace(string(a.embedded("README.md")), "{{parts}}", strings.TrimSuffix(b.String(), "\n"), 1)
}
