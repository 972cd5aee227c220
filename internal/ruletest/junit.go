package ruletest

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// JUnit XML, as CI systems read it: one testsuite per rule, and one per
// file that did not load.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	secs      float64
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes the report as JUnit XML.
func (rep *Report) WriteJUnit(w io.Writer) error {
	doc := junitSuites{Name: "tripline rules", Tests: rep.Total, Failures: rep.Failed, Skipped: rep.Skipped, Time: seconds(rep.Elapsed)}
	for _, s := range rep.suites {
		js := junitSuite{Name: s.file, Cases: s.cases}
		if s.c != nil {
			js.Name = s.c.Rule.ID
			js.Properties = []junitProperty{{"rule.name", s.c.Rule.Name}, {"rule.file", s.file}, {"rule.language", s.c.Rule.Language}}
		}
		var total time.Duration
		for _, jc := range s.cases {
			js.Tests++
			switch {
			case jc.Failure != nil:
				js.Failures++
			case jc.Skipped != nil:
				js.Skipped++
			}
			total += time.Duration(jc.secs * float64(time.Second))
		}
		js.Time = seconds(total)
		doc.Suites = append(doc.Suites, js)
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode JUnit XML: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
