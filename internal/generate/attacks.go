package generate

import (
	"math/rand/v2"
	"slices"
	"time"
)

// planted holds the records placed on purpose, by region and slot, and the
// alerts they must raise.
type planted struct {
	ct       map[int][]ctEvent // key: slotKey(region, slot)
	inv      map[int][]invDesc
	expected []Expected
	// nearMisses describe the groups that must not alert, for tests.
	nearMisses []nearMiss
}

// nearMiss is a planted group that a rule must not raise.
type nearMiss struct {
	rule  string
	what  string
	group map[string]any
	count int
}

func slotKey(region, slot int) int { return region*slotsPerDay + slot }

const (
	attackerUA1 = "aws-cli/2.18.1 Python/3.12.6 Linux/6.10.11-amd64 exe/x86_64.kali.2024 prompt/off command/bedrock.list-foundation-models"
	attackerUA2 = "Boto3/1.35.40 md/Botocore#1.35.40 ua/2.0 os/linux#6.10.11-amd64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.40"
)

// plant places the attacks and near misses.
func (w *world) plant(day time.Time) *planted {
	r := newRand(w.seed, tagPlanted)
	pl := &planted{ct: map[int][]ctEvent{}, inv: map[int][]invDesc{}}
	at := func(hour, minute int, jitter time.Duration) time.Time {
		t := day.Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
		if jitter > 0 {
			t = t.Add(time.Duration(r.Int64N(int64(jitter/time.Second))) * time.Second)
		}
		return t
	}
	spread := func(start time.Time, span time.Duration, n int) []time.Time {
		ts := make([]time.Time, n)
		for i := range ts {
			ts[i] = start.Add(time.Duration(r.Int64N(int64(span/time.Second))) * time.Second)
		}
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		return ts
	}
	addCT := func(e ctEvent) {
		s := int(e.t.Sub(day) / (slotSeconds * time.Second))
		pl.ct[slotKey(e.region, s)] = append(pl.ct[slotKey(e.region, s)], e)
	}
	addInv := func(d invDesc) {
		s := int(d.t.Sub(day) / (slotSeconds * time.Second))
		pl.inv[slotKey(d.region, s)] = append(pl.inv[slotKey(d.region, s)], d)
	}
	reqID := func() string { return uuid(r) }

	// Splunk: ListFoundationModels denied, grouped by src, user, user_agent...
	users := permuted(r, w.byKind[kindUser])
	splunkGroup := func(p *principal, ip, ua string, region int) map[string]any {
		return map[string]any{
			"src": ip, "user": p.userName, "user_agent": ua,
			"vendor_account": p.account, "vendor_product": "AWS CloudTrail",
			"dest": "bedrock.amazonaws.com", "signature": "ListFoundationModels",
			"vendor_region": regions[region],
		}
	}
	lfmUA := func(p *principal) string {
		// The principal's usual agent, with aws-cli's command filled in.
		return uaString(p.ua, apis[apiListFoundationModels].cmd)
	}
	denyLFM := func(p *principal, t time.Time, ip, ua, code string) ctEvent {
		return ctEvent{t: t, p: p, api: apiListFoundationModels, region: regionUSE1, ip: ip, ua: ua, errCode: code}
	}

	// The attack: a leaked access key used from an unknown host.
	victim := users[0]
	attackerIP := "203.0.113." + itoa(150+r.IntN(50))
	h := 9 + r.IntN(10)
	start := at(h, 5, 5*time.Minute)
	addCT(ctEvent{t: start.Add(-95 * time.Second), p: victim, api: apiGetCallerIdentity, region: regionUSE1, ip: attackerIP,
		ua: "aws-cli/2.18.1 Python/3.12.6 Linux/6.10.11-amd64 exe/x86_64.kali.2024 prompt/off command/sts.get-caller-identity"})
	addCT(ctEvent{t: start.Add(-70 * time.Second), p: victim, api: apiListAttachedUserPolicies, region: regionUSE1, ip: attackerIP, errCode: "AccessDenied",
		ua: "aws-cli/2.18.1 Python/3.12.6 Linux/6.10.11-amd64 exe/x86_64.kali.2024 prompt/off command/iam.list-attached-user-policies"})
	for _, t := range spread(start, 20*time.Minute, 25) {
		addCT(denyLFM(victim, t, attackerIP, attackerUA1, "AccessDenied"))
	}
	pl.expected = append(pl.expected, Expected{
		Rule:  SplunkSeedRuleID,
		Group: splunkGroup(victim, attackerIP, attackerUA1, regionUSE1),
		Note:  "leaked access key " + victim.accessKey + " of " + victim.userName + ": 25 denied ListFoundationModels in 20 minutes from " + attackerIP + " starting " + start.Format(time.RFC3339),
	})

	// Near miss: exactly 9 failures in one search window.
	nine := users[1]
	ua := lfmUA(nine)
	h = 8 + r.IntN(11)
	for _, t := range spread(at(h, 0, 5*time.Minute), 40*time.Minute, 9) {
		addCT(denyLFM(nine, t, nine.ips[0], ua, "AccessDenied"))
	}
	pl.nearMisses = append(pl.nearMisses, nearMiss{SplunkSeedRuleID, "9 failures in one hour (threshold is > 9)", splunkGroup(nine, nine.ips[0], ua, regionUSE1), 9})

	// Near miss: 12 failures split over two source addresses.
	split := users[2]
	ua = lfmUA(split)
	h = 8 + r.IntN(11)
	ts := spread(at(h, 0, 5*time.Minute), 40*time.Minute, 12)
	for i, t := range ts {
		addCT(denyLFM(split, t, split.ips[i%2], ua, "AccessDenied"))
	}
	for i := range 2 {
		pl.nearMisses = append(pl.nearMisses, nearMiss{SplunkSeedRuleID, "12 failures split 6/6 over two source IPs", splunkGroup(split, split.ips[i], ua, regionUSE1), 6})
	}

	// Near miss: a different error code that the search must not match.
	other := users[3]
	ua = lfmUA(other)
	h = 8 + r.IntN(11)
	for _, t := range spread(at(h, 10, 5*time.Minute), 20*time.Minute, 15) {
		e := denyLFM(other, t, other.ips[0], ua, "AccessDeniedException")
		e.errMsg = deniedMessage(other.arn, &apis[apiListFoundationModels], "")
		addCT(e)
	}
	pl.nearMisses = append(pl.nearMisses, nearMiss{SplunkSeedRuleID, "15 failures with errorCode AccessDeniedException", splunkGroup(other, other.ips[0], ua, regionUSE1), 15})

	// Background: a few people denied once.
	for _, p := range users[4:min(len(users), 8)] {
		addCT(denyLFM(p, at(7+r.IntN(12), r.IntN(60), time.Minute), p.ips[0], lfmUA(p), "AccessDenied"))
	}

	// Elastic: invocations denied, grouped by user.id, model, account.
	var apps, people []*principal
	for _, p := range w.ps {
		switch {
		case p.invRate > 0 && (p.kind == kindLambda || p.kind == kindECS):
			apps = append(apps, p)
		case p.invRate > 0 && p.human:
			people = append(people, p)
		}
	}
	apps, people = permuted(r, apps), permuted(r, people)
	esGroup := func(p *principal, m model) map[string]any {
		return map[string]any{"user.id": p.arn, "gen_ai.request.model.id": m.id, "cloud.account.id": p.account}
	}
	deny := func(p *principal, m model, t time.Time, code string) invDesc {
		return invDesc{t: t, p: p, model: m, op: opInvoke, region: p.invRegion, requestID: reqID(), errCode: code,
			inTok: 40 + r.IntN(400), prompt: r.IntN(len(prompts))}
	}

	// The attack: a stolen role session tries models the role may not use.
	stolen := apps[0]
	stolenIP := "203.0.113." + itoa(200+r.IntN(50))
	stolenKey := awsID(r, "ASIA", 16)
	h = []int{0, 1, 2, 3, 4, 21, 22}[r.IntN(7)]
	start = at(h, 10, 10*time.Minute)
	for i := range 4 {
		d := invDesc{t: start.Add(-time.Duration(10-i) * time.Minute), p: stolen, model: models[stolen.models[0]], op: opInvoke,
			region: regionUSE1, requestID: reqID(), inTok: 30 + r.IntN(50), outTok: 50 + r.IntN(200), prompt: r.IntN(len(prompts)),
			ip: stolenIP, ua: attackerUA2, accessKey: stolenKey}
		addInv(d)
	}
	for mi, m := range deniedModels {
		for _, t := range spread(start, 15*time.Minute, 6) {
			d := deny(stolen, m, t, "AccessDeniedException")
			d.region, d.ip, d.ua, d.accessKey = regionUSE1, stolenIP, attackerUA2, stolenKey
			d.op = []int{opInvoke, opConverse}[(mi+int(t.Unix()))%2]
			addInv(d)
		}
		pl.expected = append(pl.expected, Expected{
			Rule:  ElasticSeedRuleID,
			Group: esGroup(stolen, m),
			Note:  "stolen session of " + stolen.userName + " used from " + stolenIP + ": 6 denied invocations of " + m.id + " in 15 minutes starting " + start.Format(time.RFC3339),
		})
	}

	// Near miss: exactly 3 denials on one model (threshold is > 3).
	three := people[0]
	h = 9 + r.IntN(9)
	for _, t := range spread(at(h, 0, 10*time.Minute), 20*time.Minute, 3) {
		addInv(deny(three, deniedModels[0], t, "AccessDeniedException"))
	}
	pl.nearMisses = append(pl.nearMisses, nearMiss{ElasticSeedRuleID, "3 denials on one model", esGroup(three, deniedModels[0]), 3})

	// Near miss: the error code in another case; ES|QL == is case-sensitive.
	lower := apps[1]
	h = 8 + r.IntN(12)
	for _, t := range spread(at(h, 20, 10*time.Minute), 15*time.Minute, 10) {
		addInv(deny(lower, deniedModels[1], t, "accessdeniedexception"))
	}
	pl.nearMisses = append(pl.nearMisses, nearMiss{ElasticSeedRuleID, "10 denials coded accessdeniedexception", esGroup(lower, deniedModels[1]), 10})

	// Near miss: 8 denials, each more than an hour after the last, so no
	// 60-minute window holds more than one.
	slow := apps[2]
	t := at(5, 0, 30*time.Minute)
	for range 8 {
		addInv(deny(slow, deniedModels[2], t, "AccessDeniedException"))
		t = t.Add(61*time.Minute + time.Duration(r.IntN(240))*time.Second)
	}
	pl.nearMisses = append(pl.nearMisses, nearMiss{ElasticSeedRuleID, "8 denials over 8 hours, at most one per hour", esGroup(slow, deniedModels[2]), 8})

	// Background: a few principals denied once.
	for _, p := range append(slices.Clone(apps[3:min(len(apps), 5)]), people[1:min(len(people), 2)]...) {
		addInv(deny(p, deniedModels[3+r.IntN(2)], at(8+r.IntN(12), r.IntN(60), time.Minute), "AccessDeniedException"))
	}
	return pl
}

// permuted returns a shuffled copy of ps.
func permuted(r *rand.Rand, ps []*principal) []*principal {
	out := slices.Clone(ps)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
