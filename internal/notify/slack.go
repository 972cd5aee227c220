package notify

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/alert"
)

// SlackConfig configures a Slack incoming webhook.
type SlackConfig struct {
	// WebhookURL is the incoming webhook's URL (it holds the token).
	WebhookURL string
	// Channel overrides the webhook's channel where the workspace allows it.
	Channel string
	// Username overrides the poster's name where the workspace allows it.
	Username string
	Delivery
}

// Slack posts each alert to a Slack incoming webhook as a Block Kit
// message, through the same bounded queue and retries as Webhook.
type Slack struct {
	p *poster
}

var (
	_ StatsSink = (*Slack)(nil)
	_ queued    = (*Slack)(nil)
)

// NewSlack checks cfg and starts the sink's delivery goroutine.
func NewSlack(cfg SlackConfig) (*Slack, error) {
	channel, username := cfg.Channel, cfg.Username
	body := func(a *alert.Alert) ([]byte, error) { return marshal(slackMessage(a, channel, username)) }
	header := func(http.Header, *alert.Alert, []byte) {}
	p, err := newPoster("slack", cfg.WebhookURL, cfg.Delivery, body, header)
	if err != nil {
		return nil, err
	}
	return &Slack{p: p}, nil
}

// Name implements Sink: "slack:" and the webhook's host.
func (s *Slack) Name() string { return s.p.q.name }

// Send implements Sink: it queues a, or drops it and returns ErrQueueFull.
func (s *Slack) Send(_ context.Context, a *alert.Alert) error { return s.p.q.enqueue(a) }

// Close implements Sink, as Webhook.Close.
func (s *Slack) Close() error { return s.p.q.close() }

// Stats implements StatsSink.
func (s *Slack) Stats() Stats { return s.p.q.stats() }

func (s *Slack) queued() {}

// Slack's limits on Block Kit text.
const (
	slackHeaderMax  = 150
	slackTextMax    = 3000
	slackFieldMax   = 2000
	slackFieldsMax  = 10
	slackDrilldowns = 3
)

type slackMsg struct {
	Channel     string       `json:"channel,omitempty"`
	Username    string       `json:"username,omitempty"`
	Text        string       `json:"text"`
	Blocks      []slackBlock `json:"blocks"`
	UnfurlLinks bool         `json:"unfurl_links"`
	UnfurlMedia bool         `json:"unfurl_media"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func mrkdwn(s string) slackText { return slackText{Type: "mrkdwn", Text: s} }

// slackMessage lays an alert out for people: a header with severity and
// rule, the reason, the group's fields, when it was seen, and the
// drilldown searches as text to paste (no links).
func slackMessage(a *alert.Alert, channel, username string) slackMsg {
	title := fmt.Sprintf("[%s] %s", strings.ToUpper(a.Rule.Severity), a.Rule.Name)
	if a.Update {
		title = "Update: " + title
	}
	// The reason starts with the rule's name, which the title has said.
	detail := strings.TrimPrefix(a.Reason, a.Rule.Name+": ")
	m := slackMsg{
		Channel:  channel,
		Username: username,
		Text:     clipRunes(slackEscape(title+": "+detail), slackTextMax),
		Blocks: []slackBlock{
			{Type: "header", Text: &slackText{Type: "plain_text", Text: clipRunes(title, slackHeaderMax)}},
			{Type: "section", Text: ptr(mrkdwn(clipRunes(slackEscape(detail), slackTextMax)))},
		},
	}
	if len(a.Group) > 0 {
		var fields []slackText
		for _, f := range a.Group {
			if len(fields) == slackFieldsMax {
				break
			}
			fields = append(fields, mrkdwn(clipRunes("*"+slackEscape(f.Name)+"*\n"+slackEscape(f.Value.String()), slackFieldMax)))
		}
		m.Blocks = append(m.Blocks, slackBlock{Type: "section", Fields: fields})
	}
	m.Blocks = append(m.Blocks, slackBlock{Type: "context", Elements: []slackText{
		mrkdwn("*First seen* " + ts(a.FirstSeen)),
		mrkdwn("*Last seen* " + ts(a.LastSeen)),
		mrkdwn("*Events* " + strconv.FormatInt(a.EventCount, 10)),
		mrkdwn("*Risk* " + strconv.Itoa(a.Rule.RiskScore)),
		mrkdwn("*Alert* `" + a.ID + "`"),
	}})
	for i, d := range a.Drilldowns {
		if i == slackDrilldowns {
			break
		}
		search := clipRunes(strings.ReplaceAll(d.Search, "```", "'''"), slackTextMax-500)
		text := "*Drilldown: " + slackEscape(d.Name) + "*\n```" + slackEscape(search) + "```"
		if d.Earliest != "" || d.Latest != "" {
			text += "\nearliest " + slackEscape(d.Earliest) + ", latest " + slackEscape(d.Latest)
		}
		m.Blocks = append(m.Blocks, slackBlock{Type: "section", Text: ptr(mrkdwn(clipRunes(text, slackTextMax)))})
	}
	return m
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clipRunes shortens s to at most n runes, ending with "…" when cut.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func ptr[T any](v T) *T { return &v }
