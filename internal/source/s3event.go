package source

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// objectRef is one object an S3 event notification says was created.
type objectRef struct {
	Bucket string
	Key    string
	ETag   string
	Size   int64
}

// s3Notification is the part of an S3 event notification the source reads,
// and of the SNS envelope around it when S3 notifies through SNS.
type s3Notification struct {
	Records []struct {
		EventSource string `json:"eventSource"`
		EventName   string `json:"eventName"`
		S3          struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key  string `json:"key"`
				Size int64  `json:"size"`
				ETag string `json:"eTag"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
	Event   string `json:"Event"`   // "s3:TestEvent" for the test message
	Type    string `json:"Type"`    // "Notification" in an SNS envelope
	Message string `json:"Message"` // the notification inside an SNS envelope
}

// parseNotification reads an SQS message body holding an S3 event
// notification, directly or in an SNS envelope, and returns the objects it
// says were created. The s3:TestEvent message S3 sends when notifications
// are set up holds none. Keys are URL-decoded as S3 encodes them.
func parseNotification(body []byte) ([]objectRef, error) {
	for range 2 {
		var n s3Notification
		if err := json.Unmarshal(body, &n); err != nil {
			return nil, fmt.Errorf("cannot parse S3 event notification: %w", err)
		}
		if n.Type == "Notification" && n.Message != "" && n.Records == nil {
			body = []byte(n.Message)
			continue
		}
		if n.Event == "s3:TestEvent" {
			return nil, nil
		}
		if n.Records == nil {
			return nil, errors.New("cannot parse S3 event notification: no Records")
		}
		var refs []objectRef
		for i, r := range n.Records {
			if r.EventSource != "" && r.EventSource != "aws:s3" {
				continue
			}
			if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
				continue
			}
			key, err := url.QueryUnescape(r.S3.Object.Key)
			if err != nil {
				return nil, fmt.Errorf("cannot decode the key of S3 event record %d: %w", i, err)
			}
			if r.S3.Bucket.Name == "" || key == "" {
				return nil, fmt.Errorf("cannot parse S3 event record %d: no bucket or key", i)
			}
			refs = append(refs, objectRef{Bucket: r.S3.Bucket.Name, Key: key, ETag: trimETag(r.S3.Object.ETag), Size: r.S3.Object.Size})
		}
		return refs, nil
	}
	return nil, errors.New("cannot parse S3 event notification: SNS envelope inside an SNS envelope")
}

// trimETag drops the quotes S3 puts around an entity tag in some answers
// and not in others.
func trimETag(s string) string { return strings.Trim(s, `"`) }
