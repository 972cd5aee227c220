package inference

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

// bedrock calls Amazon Bedrock's Converse API with the SDK's default
// credentials (environment, shared config, instance role).
type bedrock struct {
	e      Endpoint
	once   sync.Once
	client *bedrockruntime.Client
	err    error
}

func newBedrock(e Endpoint) *bedrock { return &bedrock{e: e} }

// init loads the AWS configuration on first use, so that a rule set with
// a Bedrock endpoint loads without credentials until a row needs one.
func (b *bedrock) init(ctx context.Context) error {
	b.once.Do(func() {
		var opts []func(*config.LoadOptions) error
		if b.e.Region != "" {
			opts = append(opts, config.WithRegion(b.e.Region))
		}
		cfg, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			b.err = fmt.Errorf("cannot load the AWS configuration: %w", err)
			return
		}
		b.client = bedrockruntime.NewFromConfig(cfg, func(o *bedrockruntime.Options) {
			if b.e.URL != "" {
				o.BaseEndpoint = aws.String(b.e.URL)
			}
		})
	})
	return b.err
}

func (b *bedrock) complete(ctx context.Context, prompt string) (string, error) {
	if err := b.init(ctx); err != nil {
		return "", err
	}
	// The prompt is the text block of one user message: data.
	out, err := b.client.Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId: aws.String(b.e.Model),
		Messages: []types.Message{{
			Role:    types.ConversationRoleUser,
			Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: prompt}},
		}},
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(int32(b.e.maxTokens()))},
	})
	if err != nil {
		return "", fmt.Errorf("bedrock converse: %s", short(err.Error()))
	}
	msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok {
		return "", fmt.Errorf("bedrock converse: the answer holds no message")
	}
	var b2 strings.Builder
	for _, c := range msg.Value.Content {
		if t, ok := c.(*types.ContentBlockMemberText); ok {
			b2.WriteString(t.Value)
		}
	}
	return b2.String(), nil
}
