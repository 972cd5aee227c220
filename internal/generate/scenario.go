package generate

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// ScenarioInfo names a scenario and says in one line what it plants.
type ScenarioInfo struct {
	Name        string
	Description string
}

type scenario struct {
	ScenarioInfo
	benign float64 // share of a realistic day's background
	plant  func(s *plot)
}

// scenarioBackground is the background volume of the attack scenarios, as
// a share of a realistic day: smaller than a day, but with every kind of
// principal active.
const scenarioBackground = 0.2

var scenarios = []scenario{
	{ScenarioInfo{"benign", "a full benign day: several hundred principals, Bedrock apps with and without guardrails, admins changing Bedrock settings safely, and near misses of every rule; no alert"}, 1, nil},
	{ScenarioInfo{"recon", "a leaked key refused listing and describing models; a hijacked role session reading the logging settings, then polling model availability every 30 s"}, scenarioBackground, plantRecon},
	{ScenarioInfo{"probing", "a key checker: every 5 minutes one InvokeModel per model with max_tokens 0, refused or rejected, from a stolen access key"}, scenarioBackground, plantProbing},
	{ScenarioInfo{"enabling", "model access enabled from a stolen role session, and again from a long-lived AKIA access key"}, scenarioBackground, plantEnabling},
	{ScenarioInfo{"evasion", "invocation logging deleted and its text delivery turned off, a guardrail weakened to LOW/NONE and another deleted"}, scenarioBackground, plantEvasion},
	{ScenarioInfo{"misuse", "cost harvesting far above a principal's baseline, an unguarded burst from a guarded app, repeated guardrail interventions, secrets and prompt injection in prompts, inference served in another geography"}, scenarioBackground, plantMisuse},
	{ScenarioInfo{"persistence", "a knowledge base and its data source deleted, an agent with a foreign action-group Lambda, a model copied and another imported from another account"}, scenarioBackground, plantPersistence},
	{ScenarioInfo{"llmjacking", "the whole story: a stolen access key does recon, probes models, enables one, turns logging text off and weakens guardrails, then runs up the bill"}, scenarioBackground, plantLLMjacking},
}

// Scenarios lists the scenarios Scenario can write, in lifecycle order.
func Scenarios() []ScenarioInfo {
	out := make([]ScenarioInfo, len(scenarios))
	for i, s := range scenarios {
		out[i] = s.ScenarioInfo
	}
	return out
}

// Scenario writes the named scenario under opt.Out in the S3 layout AWS
// delivers: a benign background (a full day for "benign", a fifth of one
// for the others, times opt.Background) with the scenario's activity
// planted in it, and expected.ndjson beside the logs, one line per alert
// the built-in rule pack must raise. The same Options give the same bytes.
func Scenario(name string, opt Options) (Summary, error) {
	i := slices.IndexFunc(scenarios, func(s scenario) bool { return s.Name == name })
	if i < 0 {
		names := make([]string, len(scenarios))
		for j, s := range scenarios {
			names[j] = s.Name
		}
		return Summary{}, fmt.Errorf("cannot generate scenario %q: unknown; known are %s", name, strings.Join(names, ", "))
	}
	sc := scenarios[i]
	return write(opt, sc.benign, func(w *world, day time.Time) *planted {
		s := newPlot(w, day, sc.Name)
		s.background()
		if sc.plant != nil {
			sc.plant(s)
		}
		return s.pl
	})
}

// plot plants a scenario's records into a world and notes what they must
// raise.
type plot struct {
	w     *world
	day   time.Time
	r     *rand.Rand
	pl    *planted
	taken map[*principal]bool
	bg    bgCast
}

// bgCast is who the background near misses use, for scenarios that build
// on them.
type bgCast struct {
	guardedApp *principal // a chat app whose every call passes a guardrail
}

func newPlot(w *world, day time.Time, name string) *plot {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &plot{
		w: w, day: day, r: newRand(w.seed, tagPlanted, h.Sum64()),
		pl:    &planted{ct: map[int][]ctEvent{}, inv: map[int][]invDesc{}},
		taken: map[*principal]bool{},
	}
}

// take returns a principal of kind k that no other planted activity uses,
// and stops its own Bedrock activity, so that only planted records speak
// for it in Bedrock's logs.
func (s *plot) take(k kind) *principal {
	for _, p := range permuted(s.r, s.w.byKind[k]) {
		if !s.taken[p] {
			s.taken[p] = true
			p.invRate = 0
			p.quietBedrock = true
			return p
		}
	}
	panic(fmt.Sprintf("BUG: scenario needs more principals of kind %d than the world has", k))
}

// at is the day's time h:m:sec.
func (s *plot) at(h, m, sec int) time.Time {
	return s.day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second)
}

// jit moves t forward by up to max, in whole seconds.
func (s *plot) jit(t time.Time, max time.Duration) time.Time {
	return t.Add(time.Duration(s.r.Int64N(int64(max/time.Second)+1)) * time.Second)
}

func (s *plot) slot(t time.Time) int {
	sl := int(t.Sub(s.day) / (slotSeconds * time.Second))
	if sl < 0 || sl >= slotsPerDay {
		panic("BUG: planted record outside the day: " + t.String())
	}
	return sl
}

func (s *plot) addCT(e ctEvent) {
	k := slotKey(e.region, s.slot(e.t))
	s.pl.ct[k] = append(s.pl.ct[k], e)
}

func (s *plot) addInv(d invDesc) {
	if !slices.Contains(bedrockRegions, d.region) {
		panic("BUG: invocation planted outside the Bedrock regions")
	}
	k := slotKey(d.region, s.slot(d.t))
	s.pl.inv[k] = append(s.pl.inv[k], d)
}

func (s *plot) expect(rule string, group map[string]any, note string) {
	s.pl.expected = append(s.pl.expected, Expected{Rule: rule, Group: group, Note: note})
}

// actor is who makes planted calls: a principal, perhaps from someone
// else's address, agent and key ("" for the principal's usual).
type actor struct {
	p           *principal
	ip, ua, key string
}

// call plants one CloudTrail record of the api named by name.
func (s *plot) call(a actor, t time.Time, region int, name string, params, resp any, errCode string) {
	api := plantedAPI(name)
	ua := a.ua
	if ua != "" {
		ua = uaString(ua, apis[api].cmd)
	}
	e := ctEvent{t: t, p: a.p, api: api, region: region, ip: a.ip, ua: ua, accessKey: a.key, errCode: errCode,
		params: rawJSON(params), resp: rawJSON(resp)}
	if errCode != "" && strings.HasPrefix(errCode, "AccessDenied") {
		e.errMsg = deniedMessage(a.p.arn, &apis[api], "")
	}
	s.addCT(e)
}

// plantedAPI is the catalogue entry a planted call of name uses: the one
// with raw parameters where there is one.
func plantedAPI(name string) int {
	first := -1
	for i, a := range apis {
		if a.name != name {
			continue
		}
		if a.params == pRaw {
			return i
		}
		if first < 0 {
			first = i
		}
	}
	if first < 0 {
		panic("BUG: no api " + name)
	}
	return first
}

// rawJSON renders v as JSON; nil and "" give "", which writes null.
func rawJSON(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("BUG: cannot encode planted parameters: " + err.Error())
	}
	return string(b)
}

// invocation returns an ordinary successful call of m by a at t; the
// caller adjusts it and plants it with addInv.
func (s *plot) invocation(a actor, t time.Time, region int, m model, op int) invDesc {
	r := s.r
	d := invDesc{t: t, p: a.p, model: m, op: op, region: region, requestID: uuid(r),
		prompt: r.IntN(len(prompts)), ip: a.ip, ua: a.ua, accessKey: a.key}
	if m.fam == famTitanEmbed {
		d.op = opInvoke
		d.inTok = 20 + r.IntN(400)
	} else {
		d.inTok = 150 + r.IntN(1500)
		d.outTok = 40 + r.IntN(600)
	}
	return d
}

// steady plants one call every step (with up to a third of it as jitter)
// from from to to, skipping times for which skip is true; mod adjusts each.
func (s *plot) steady(a actor, region int, m model, op int, from, to time.Time, step time.Duration, mod func(*invDesc), skip func(time.Time) bool) int {
	n := 0
	for t := from; t.Before(to); t = t.Add(step) {
		at := s.jit(t, step/3)
		if skip != nil && skip(at) {
			continue
		}
		d := s.invocation(a, at, region, m, op)
		if mod != nil {
			mod(&d)
		}
		s.addInv(d)
		n++
	}
	return n
}

// Group values as the rules name them.
func splGroup(p *principal, region int) map[string]any {
	return map[string]any{"user": p.arn, "vendor_account": p.account, "vendor_region": regions[region]}
}

func splUser(p *principal) map[string]any {
	return map[string]any{"user": p.arn, "vendor_account": p.account}
}

func invGroup(p *principal) map[string]any {
	return map[string]any{"user.id": p.arn, "cloud.account.id": p.account}
}

func with(g map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		g[kv[i].(string)] = kv[i+1]
	}
	return g
}

// esTime is how a time group value prints.
func esTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Addresses, agents and accounts of the attackers.
const (
	foreignAccount = "444455556666"
	kaliCLI        = "aws-cli/2.18.1 Python/3.12.6 Linux/6.10.11-amd64 exe/x86_64.kali.2024 prompt/off%c"
	checkerUA      = "Boto3/1.35.40 md/Botocore#1.35.40 ua/2.0 os/linux#6.10.11-amd64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.40"
)

func (s *plot) attackerIP() string { return "203.0.113." + itoa(150+s.r.IntN(100)) }

func (s *plot) guardrailArn(region int, i int) string {
	return "arn:aws:bedrock:" + regions[region] + ":" + s.w.account + ":guardrail/" + s.w.env.guardrails[i%len(s.w.env.guardrails)]
}

func (s *plot) loggingConfig(textOn bool) map[string]any {
	return map[string]any{"loggingConfig": map[string]any{
		"s3Config":                     map[string]any{"bucketName": "anycompany-bedrock-invocation-logs-" + s.w.account[8:], "keyPrefix": "bedrock/"},
		"textDataDeliveryEnabled":      textOn,
		"imageDataDeliveryEnabled":     false,
		"embeddingDataDeliveryEnabled": false,
	}}
}

// guardrailUpdate is UpdateGuardrail's parameters with content filters at
// strength (input and output alike; PROMPT_ATTACK's output is always NONE).
func (s *plot) guardrailUpdate(region, i int, strength string) map[string]any {
	var filters []map[string]any
	for _, f := range []string{"SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT", "PROMPT_ATTACK"} {
		out := strength
		if f == "PROMPT_ATTACK" {
			out = "NONE"
		}
		filters = append(filters, map[string]any{"type": f, "inputStrength": strength, "outputStrength": out})
	}
	return map[string]any{
		"guardrailIdentifier":     s.guardrailArn(region, i),
		"name":                    []string{"customer-chat-guardrail", "internal-assistant-guardrail"}[i%2],
		"blockedInputMessaging":   "HIDDEN_DUE_TO_SECURITY_REASONS",
		"blockedOutputsMessaging": "HIDDEN_DUE_TO_SECURITY_REASONS",
		"contentPolicyConfig":     map[string]any{"filtersConfig": filters},
	}
}

func modelParams(m string) map[string]any { return map[string]any{"modelId": m} }
