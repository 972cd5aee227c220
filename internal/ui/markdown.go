package ui

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// The guide's Markdown becomes HTML in two steps: goldmark renders it
// (raw HTML in the Markdown is left out, as goldmark does by default), and
// bluemonday keeps only the elements and attributes a guide needs, links
// only to http, https and mailto. The second step alone would suffice;
// the first makes what is left out visible as such.
var (
	markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))
	sanitise = guidePolicy()
)

func guidePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
		"pre", "code", "em", "strong", "del", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	return p
}

// maxGuideBytes bounds the Markdown rendered for one guide.
const maxGuideBytes = 256 << 10

// renderGuide renders an investigation guide's Markdown to sanitised HTML.
func renderGuide(md string) template.HTML {
	if md == "" {
		return ""
	}
	var b bytes.Buffer
	if err := markdown.Convert([]byte(clip(maxGuideBytes, md)), &b); err != nil {
		// Not reachable with a bytes.Buffer; show the text escaped.
		return template.HTML("<pre>" + template.HTMLEscapeString(md) + "</pre>")
	}
	return template.HTML(sanitise.SanitizeBytes(b.Bytes())) // sanitised: safe to include as it is
}
