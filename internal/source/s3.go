package source

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Defaults of S3Config.
const (
	DefaultS3PollInterval = time.Minute
	DefaultRetention      = 30 * 24 * time.Hour
	DefaultQueueWait      = 20 * time.Second
	defaultRegion         = "us-east-1"
)

// S3Config configures an S3 source.
type S3Config struct {
	// Bucket and Prefix select the objects read. Bucket is required
	// without a queue; with one, it only filters the notifications.
	Bucket string
	Prefix string
	// Region is the bucket's (and queue's) region; empty means the
	// default chain's, else us-east-1.
	Region string
	// Endpoint is the S3 endpoint URL of an S3-compatible server; empty
	// means AWS. PathStyle addresses buckets in the path, as most
	// S3-compatible servers want.
	Endpoint  string
	PathStyle bool
	// AccessKey, SecretKey and SessionToken are static credentials; empty
	// means the default chain (environment, shared files, instance role).
	AccessKey    string
	SecretKey    string
	SessionToken string
	// PollInterval is the time between two listings, or before receiving
	// again after an empty or failed receive; 0 means DefaultS3PollInterval.
	PollInterval time.Duration
	// QueueURL, when set, is an SQS queue of the bucket's S3 event
	// notifications (directly or through SNS): the source reads the objects
	// they name instead of listing the prefix, and deletes a message only
	// once its objects were delivered. QueueEndpoint overrides the SQS
	// endpoint URL.
	QueueURL      string
	QueueEndpoint string
	// QueueWait is the long-poll wait of one receive; 0 means
	// DefaultQueueWait, a negative value none.
	QueueWait time.Duration
	// Retention bounds what Positions remembers: objects last modified
	// longer ago are forgotten and, when listing, not read (older data is
	// for tripline hunt). 0 means DefaultRetention.
	Retention time.Duration
	// Positions records what was read; nil means fresh, empty positions.
	Positions *Positions
	// Logger receives warnings; nil means slog.Default().
	Logger *slog.Logger
	// CaughtUp, when set, is called after a poll that found nothing new
	// to deliver: the source has delivered all it has, for now.
	CaughtUp func()
}

// S3 is a source that reads new objects under an S3 bucket prefix, each
// whole and once, found by listing the prefix every poll or from an SQS
// queue of S3 event notifications. Keys in Positions, which also name the
// chunks, are s3://bucket/key; an object whose ETag changes is read again.
type S3 struct {
	cfg S3Config
	s3  *s3.Client
	sqs *sqs.Client
	log *slog.Logger
	now func() time.Time
	mu  sync.Mutex
}

// NewS3 returns an S3 source for cfg, with clients from the AWS SDK's
// default configuration and cfg's overrides.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" && cfg.QueueURL == "" {
		return nil, errors.New("cannot read from S3: no bucket or queue given")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultS3PollInterval
	}
	if cfg.QueueWait == 0 {
		cfg.QueueWait = DefaultQueueWait
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Positions == nil {
		cfg.Positions = NewPositions()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = defaultRegion
	}
	src := &S3{
		cfg: cfg,
		log: cfg.Logger.With("source", "s3", "bucket", cfg.Bucket, "prefix", cfg.Prefix),
		now: time.Now,
	}
	src.s3 = s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	if cfg.QueueURL != "" {
		src.sqs = sqs.NewFromConfig(awsCfg, func(o *sqs.Options) {
			if cfg.QueueEndpoint != "" {
				o.BaseEndpoint = aws.String(cfg.QueueEndpoint)
			}
		})
	}
	return src, nil
}

// Positions returns the positions the source records into.
func (s *S3) Positions() *Positions { return s.cfg.Positions }

// Run reads new objects until ctx is done, then returns nil. A failed poll
// is logged and tried again after PollInterval.
func (s *S3) Run(ctx context.Context, deliver Deliver) error {
	for {
		counted, delivered := caughtUp(deliver)
		n, err := s.poll(ctx, counted)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			s.log.Warn("cannot read new S3 objects; trying again", "err", err)
		}
		if err == nil && *delivered == 0 && s.cfg.CaughtUp != nil {
			s.cfg.CaughtUp()
		}
		if s.sqs != nil && err == nil && n > 0 {
			continue // more may be waiting; the long poll paces an idle queue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.cfg.PollInterval):
		}
	}
}

// Poll reads what is new once: it lists the prefix and delivers the objects
// not read yet, stopping at the first failure, or it receives one batch of
// notifications from the queue and delivers their objects, deleting each
// message whose objects were all delivered.
func (s *S3) Poll(ctx context.Context, deliver Deliver) error {
	_, err := s.poll(ctx, deliver)
	return err
}

// poll is Poll, returning how many objects or messages it saw.
func (s *S3) poll(ctx context.Context, deliver Deliver) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	horizon := s.now().Add(-s.cfg.Retention)
	s.prune(horizon)
	if s.sqs != nil {
		return s.receive(ctx, deliver)
	}
	return s.list(ctx, horizon, deliver)
}

// key is an object's key in Positions.
func key(bucket, key string) string { return "s3://" + bucket + "/" + key }

// prune forgets the objects of this source last modified before horizon.
func (s *S3) prune(horizon time.Time) {
	prefix := "s3://"
	if s.cfg.Bucket != "" {
		prefix = key(s.cfg.Bucket, s.cfg.Prefix)
	}
	for k, pos := range s.cfg.Positions.withPrefix(prefix) {
		if pos.ModTime.Before(horizon) {
			s.cfg.Positions.Delete(k)
		}
	}
}

// list delivers the objects under the prefix that are not read yet.
func (s *S3) list(ctx context.Context, horizon time.Time, deliver Deliver) (int, error) {
	n := 0
	pages := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.cfg.Bucket),
		Prefix: aws.String(s.cfg.Prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("cannot list %s: %w", key(s.cfg.Bucket, s.cfg.Prefix), err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if skipKey(k) || aws.ToTime(o.LastModified).Before(horizon) {
				continue
			}
			if pos, ok := s.cfg.Positions.Get(key(s.cfg.Bucket, k)); ok && pos.Done && pos.ETag == trimETag(aws.ToString(o.ETag)) {
				continue
			}
			n++
			if err := s.fetch(ctx, s.cfg.Bucket, k, deliver); err != nil && !errors.Is(err, errGone) {
				return n, err
			}
		}
	}
	return n, nil
}

// Stream names the source's stream: s3://bucket/prefix, or s3://* for a
// queue that may name any bucket.
func (s *S3) Stream() string { return s.stream("*") }

func (s *S3) stream(bucket string) string {
	if s.cfg.Bucket != "" {
		return key(s.cfg.Bucket, s.cfg.Prefix)
	}
	return key(bucket, s.cfg.Prefix)
}

// Open reads an object this source delivered, named as its chunks are
// (s3://bucket/key), again: to show an alert's evidence. An object of a
// bucket the source does not read is refused.
func (s *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	rest, ok := strings.CutPrefix(name, "s3://")
	bucket, k, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || k == "" {
		return nil, fmt.Errorf("not an S3 object name: %q", name)
	}
	if s.cfg.Bucket != "" && bucket != s.cfg.Bucket {
		return nil, fmt.Errorf("%s is not in bucket %s", name, s.cfg.Bucket)
	}
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
	if err != nil {
		return nil, fmt.Errorf("cannot get %s: %w", name, err)
	}
	return out.Body, nil
}

// errGone says an object was deleted before it could be read.
var errGone = errors.New("object no longer exists")

// fetch gets one object and delivers it whole.
func (s *S3) fetch(ctx context.Context, bucket, k string, deliver Deliver) error {
	name := key(bucket, k)
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
	if err != nil {
		var status interface{ HTTPStatusCode() int }
		if errors.As(err, &status) && status.HTTPStatusCode() == 404 {
			s.log.Info("object deleted before it was read", "object", name)
			return errGone
		}
		return fmt.Errorf("cannot get %s: %w", name, err)
	}
	defer out.Body.Close()
	size := aws.ToInt64(out.ContentLength)
	c := Chunk{
		Name:   name,
		Data:   out.Body,
		Key:    name,
		Stream: s.stream(bucket),
		Position: Position{
			Offset:  size,
			Size:    size,
			ModTime: aws.ToTime(out.LastModified),
			Done:    true,
			ETag:    trimETag(aws.ToString(out.ETag)),
		},
	}
	if err := deliver(ctx, c); err != nil {
		return fmt.Errorf("cannot deliver %s: %w", name, err)
	}
	s.cfg.Positions.Set(name, c.Position)
	return nil
}

// receive takes one batch of messages from the queue and handles each.
func (s *S3) receive(ctx context.Context, deliver Deliver) (int, error) {
	out, err := s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(s.cfg.QueueURL),
		MaxNumberOfMessages: 10,
		WaitTimeSeconds:     int32(max(0, s.cfg.QueueWait/time.Second)),
	})
	if err != nil {
		return 0, fmt.Errorf("cannot receive from queue %s: %w", s.cfg.QueueURL, err)
	}
	var first error
	for _, m := range out.Messages {
		if err := s.message(ctx, m, deliver); err != nil {
			s.log.Warn("S3 notification left in the queue", "message", aws.ToString(m.MessageId), "err", err)
			first = cmp.Or(first, err)
			continue
		}
		if _, err := s.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{
			QueueUrl:      aws.String(s.cfg.QueueURL),
			ReceiptHandle: m.ReceiptHandle,
		}); err != nil {
			// Delivered already: the message comes back, and Positions
			// skips its objects then.
			s.log.Warn("cannot delete S3 notification", "message", aws.ToString(m.MessageId), "err", err)
		}
	}
	return len(out.Messages), first
}

// message delivers the objects one notification names.
func (s *S3) message(ctx context.Context, m sqstypes.Message, deliver Deliver) error {
	refs, err := parseNotification([]byte(aws.ToString(m.Body)))
	if err != nil {
		return err
	}
	for _, r := range refs {
		if (s.cfg.Bucket != "" && r.Bucket != s.cfg.Bucket) || !strings.HasPrefix(r.Key, s.cfg.Prefix) || skipKey(r.Key) {
			continue
		}
		if pos, ok := s.cfg.Positions.Get(key(r.Bucket, r.Key)); ok && pos.Done && (r.ETag == "" || pos.ETag == r.ETag) {
			continue // a repeated notification
		}
		if err := s.fetch(ctx, r.Bucket, r.Key, deliver); err != nil && !errors.Is(err, errGone) {
			return err
		}
	}
	return nil
}
