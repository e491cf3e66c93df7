package diagnose

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"

	"github.com/backprop-go/backprop/atomicfile"
)

// Report is one self-contained HTML page: the run's settings and numbers,
// then sections of text and figures. The figures are embedded as PNG data:
// URIs, so the single file reads offline in any browser, can be mailed or
// attached to homework, and never loses its pictures.
type Report struct {
	Title    string    // the page's title and top heading
	Settings []KV      // how the run was made (flags, network, data)
	Numbers  []KV      // what it measured (accuracy, times, sanity results)
	Sections []Section // the body, in order
}

// KV is one row of a table: a name and its value.
type KV struct{ Key, Value string }

// Section is a heading, paragraphs of text, an optional preformatted block
// (a table printed by the program) and figures.
type Section struct {
	Title   string   // the section's heading
	Text    []string // paragraphs of plain text (HTML is escaped)
	Pre     string   // a preformatted block, shown as is; empty for none
	Figures []Figure // shown after the text
}

// Figure is one embedded picture with its caption.
type Figure struct {
	Caption string // shown under the picture
	File    string // the PNG's name beside the report, shown for reference
	PNG     []byte // the encoded image
}

// AddFigure encodes img as PNG and appends it to the last section.
func (r *Report) AddFigure(img image.Image, file, caption string) error {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	if len(r.Sections) == 0 {
		r.Sections = append(r.Sections, Section{})
	}
	s := &r.Sections[len(r.Sections)-1]
	s.Figures = append(s.Figures, Figure{Caption: caption, File: file, PNG: b.Bytes()})
	return nil
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	// The encoded PNG as a data: URI. html/template refuses data: URLs it
	// has not been told are safe; these are bytes we encoded ourselves.
	"datauri": func(png []byte) template.URL {
		return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
td, th { border: 1px solid #ddd; padding: 0.25em 0.7em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
pre { background: #f7f7f7; border: 1px solid #e3e3e3; padding: 0.7em; white-space: pre-wrap; font-size: 0.9em; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.92em; color: #444; }
.file { color: #888; font-family: monospace; }
.grid { display: flex; gap: 2em; flex-wrap: wrap; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<div class="grid">
{{if .Settings}}<div><h3>Settings</h3><table>{{range .Settings}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>{{end}}</table></div>{{end}}
{{if .Numbers}}<div><h3>Results</h3><table>{{range .Numbers}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>{{end}}</table></div>{{end}}
</div>
{{range .Sections}}
<h2>{{.Title}}</h2>
{{range .Text}}<p>{{.}}</p>
{{end}}{{if .Pre}}<pre>{{.Pre}}</pre>
{{end}}{{range .Figures}}<figure><img src="{{datauri .PNG}}" alt="{{.Caption}}"><figcaption>{{.Caption}}{{if .File}} <span class="file">({{.File}})</span>{{end}}</figcaption></figure>
{{end}}{{end}}
</body>
</html>
`))

// WriteHTML writes the page.
func (r *Report) WriteHTML(w io.Writer) error { return reportTmpl.Execute(w, r) }

// WriteFile writes the page to path through a temporary file renamed into
// place (package atomicfile), so path never holds half a report.
func (r *Report) WriteFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, r.WriteHTML)
}
