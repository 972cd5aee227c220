package inference

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// maxResponse bounds the bytes of an answer read from an endpoint.
const maxResponse = 1 << 20

// openAI calls an OpenAI-compatible chat-completions API.
type openAI struct {
	url, model, key string
	maxTokens       int
	http            *http.Client
}

// chatURL returns the chat-completions URL under a base URL.
func chatURL(base string) string {
	base = strings.TrimRight(base, "/")
	if strings.HasSuffix(base, "/chat/completions") {
		return base
	}
	if !strings.HasSuffix(base, "/v1") {
		base += "/v1"
	}
	return base + "/chat/completions"
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model     string        `json:"model"`
	Messages  []chatMessage `json:"messages"`
	MaxTokens int           `json:"max_tokens,omitempty"`
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

func (o *openAI) complete(ctx context.Context, prompt string) (string, error) {
	// The prompt is the content of one user message, marshalled as a
	// JSON string: whatever it says, it stays data.
	body, err := json.Marshal(chatRequest{Model: o.model, Messages: []chatMessage{{Role: "user", Content: prompt}}, MaxTokens: o.maxTokens})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if o.key != "" {
		req.Header.Set("Authorization", "Bearer "+o.key)
	}
	resp, err := o.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("cannot call chat completions: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return "", fmt.Errorf("cannot read the answer: %w", err)
	}
	if len(raw) > maxResponse {
		return "", fmt.Errorf("the answer is larger than %d bytes", maxResponse)
	}
	var cr chatResponse
	jerr := json.Unmarshal(raw, &cr)
	if resp.StatusCode/100 != 2 {
		msg := ""
		if jerr == nil && cr.Error != nil {
			msg = ": " + short(cr.Error.Message)
		}
		return "", fmt.Errorf("chat completions answered %s%s", resp.Status, msg)
	}
	if jerr != nil {
		return "", fmt.Errorf("cannot decode the answer: %w", jerr)
	}
	if len(cr.Choices) == 0 || cr.Choices[0].Message.Content == nil {
		return "", fmt.Errorf("the answer holds no message")
	}
	return *cr.Choices[0].Message.Content, nil
}

// short cuts an endpoint's error message for our own, which may be
// logged: one line, at most 200 characters, valid UTF-8.
func short(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:197]) + "..."
	}
	return s
}
