package notify

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
)

func TestSlackPayload(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s, err := NewSlack(SlackConfig{WebhookURL: srv.URL + "/services/T0/B0/XXXX", Channel: "#alerts", Delivery: fast()})
	if err != nil {
		t.Fatal(err)
	}
	a := sampleAlert()
	a.Drilldowns[0].Search = "index=main <user> & ```x```"
	s.Send(context.Background(), a)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if rc.requests() != 1 {
		t.Fatalf("%d requests", rc.requests())
	}
	var msg struct {
		Channel     string `json:"channel"`
		Text        string `json:"text"`
		UnfurlLinks *bool  `json:"unfurl_links"`
		Blocks      []struct {
			Type string `json:"type"`
			Text *struct {
				Type, Text string
			} `json:"text"`
			Fields []struct {
				Type, Text string
			} `json:"fields"`
			Elements []struct {
				Type, Text string
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(rc.bodies[0], &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Channel != "#alerts" || !strings.HasPrefix(msg.Text, "[HIGH] AWS Bedrock") || msg.UnfurlLinks == nil || *msg.UnfurlLinks {
		t.Errorf("channel %q text %q unfurl %v", msg.Channel, msg.Text, msg.UnfurlLinks)
	}
	var types []string
	for _, b := range msg.Blocks {
		types = append(types, b.Type)
	}
	if got := strings.Join(types, " "); got != "header section section context section" {
		t.Fatalf("blocks %s", got)
	}
	header := msg.Blocks[0].Text
	if header.Type != "plain_text" || header.Text != "[HIGH] "+a.Rule.Name {
		t.Errorf("header %+v", header)
	}
	detail := strings.TrimPrefix(a.Reason, a.Rule.Name+": ")
	if msg.Blocks[1].Text.Type != "mrkdwn" || msg.Blocks[1].Text.Text != detail {
		t.Errorf("reason block %+v", msg.Blocks[1].Text)
	}
	if strings.Count(msg.Text, a.Rule.Name) != 1 {
		t.Errorf("the rule's name is not in the text once: %q", msg.Text)
	}
	fields := msg.Blocks[2].Fields
	if len(fields) != 3 || fields[0].Text != "*user.id*\narn:aws:sts::123456789012:assumed-role/dev/alice" {
		t.Errorf("group fields %+v", fields)
	}
	ctx := msg.Blocks[3].Elements
	if len(ctx) < 2 || ctx[0].Text != "*First seen* 2026-11-21T02:18:00.000Z" || ctx[1].Text != "*Last seen* 2026-11-21T02:29:39.000Z" {
		t.Errorf("context %+v", ctx)
	}
	dd := msg.Blocks[4].Text.Text
	if !strings.Contains(dd, "```index=main &lt;user&gt; &amp; '''x'''```") || strings.Contains(dd, "http") {
		t.Errorf("drilldown %q", dd)
	}
	if s.Name() != "slack:"+strings.TrimPrefix(srv.URL, "http://") {
		t.Errorf("name %s", s.Name())
	}
}

func TestSlackLimits(t *testing.T) {
	a := sampleAlert()
	a.Rule.Name = strings.Repeat("é", 300)
	a.Group = nil
	for i := 0; i < 15; i++ {
		a.Group = append(a.Group, alert.Field{Name: "f", Value: event.StringValue(strings.Repeat("x", 5000))})
	}
	a.Drilldowns = append(a.Drilldowns, a.Drilldowns[0], a.Drilldowns[0], a.Drilldowns[0])
	m := slackMessage(a, "", "")
	if n := len([]rune(m.Blocks[0].Text.Text)); n > slackHeaderMax {
		t.Errorf("header has %d runes", n)
	}
	if n := len(m.Blocks[2].Fields); n != slackFieldsMax {
		t.Errorf("%d fields", n)
	}
	for _, f := range m.Blocks[2].Fields {
		if len([]rune(f.Text)) > slackFieldMax {
			t.Errorf("field of %d runes", len([]rune(f.Text)))
		}
	}
	if n := len(m.Blocks) - 4; n != slackDrilldowns {
		t.Errorf("%d drilldown blocks", n)
	}
}
