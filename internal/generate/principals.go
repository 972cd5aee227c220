package generate

import (
	"math"
	"math/rand/v2"
	"strings"
)

// regions the day is spread over, with the share of activity homed in each.
var (
	regions      = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"}
	regionWeight = []float64{0.50, 0.22, 0.12, 0.10, 0.06}
	// bedrockRegions are the regions where principals run models.
	bedrockRegions = []int{0, 1, 3}
)

const (
	slotsPerDay = 288 // 5-minute CloudTrail delivery slots
	slotSeconds = 300
	regionUSE1  = 0 // index of us-east-1, where global services log
)

// kind is what sort of principal makes the calls.
type kind uint8

const (
	kindUser         kind = iota // IAM user operated by a person
	kindServiceUser              // IAM user with long-term keys used by automation
	kindSSO                      // IAM Identity Center permission-set session
	kindLambda                   // Lambda execution role
	kindEC2                      // EC2 instance profile role
	kindECS                      // ECS task role
	kindAWSService               // an AWS service acting on the account
	kindCrossAccount             // a role session from the second account
	numKinds
)

// kindMix is the share of the population of each kind, and the least number made.
var kindMix = [numKinds]struct {
	share float64
	least int
	rate  float64 // median CloudTrail events a day
}{
	kindUser:         {0.22, 8, 400},
	kindServiceUser:  {0.06, 2, 1300},
	kindSSO:          {0.18, 4, 400},
	kindLambda:       {0.20, 6, 800},
	kindEC2:          {0.14, 3, 1000},
	kindECS:          {0.12, 5, 700},
	kindAWSService:   {0.05, 2, 2000},
	kindCrossAccount: {0.03, 1, 500},
}

// principal is one identity with its habits.
type principal struct {
	idx     int
	kind    kind
	human   bool
	account string

	userName    string // IAM user name, or the role name for role sessions
	session     string // role session name
	principalID string // AIDA... for users, AROA...:session for sessions
	roleID      string // AROA... of the role
	arn         string // the identity's ARN (user or assumed-role)
	roleArn     string // the role's IAM ARN
	accessKey   string // AKIA... for IAM users
	service     string // for kindAWSService: the service host name

	ua        string // main user agent; contains "%c" where aws-cli puts its command
	consoleUA string // browser user agent for console use, "" if none
	ips       []string
	vpce      string // VPC endpoint id when calls go through one

	shares [len5]float64 // share of activity per region
	rate   float64       // CloudTrail events a day before scaling
	curve  *[slotsPerDay]float64
	prof   profile

	invRate   float64 // model invocations a day, 0 if the principal does not use Bedrock
	invRegion int
	models    []int // indices into models used
	ops       weighted
	guardrail bool
	// quietBedrock is set for principals a scenario plants Bedrock activity
	// for: their benign calls leave Bedrock's control plane alone.
	quietBedrock bool
}

const len5 = 5 // len(regions); an array length must be constant

// world is everything a day's files are made from.
type world struct {
	seed    int64
	account string
	ps      []*principal
	byKind  [numKinds][]*principal
	env     env
	benign  float64 // multiplier of benign volume
}

// env is the account's resources that requests name.
type env struct {
	buckets    []string
	kmsKeys    [len5][]string
	tables     []string
	params     []string
	secrets    []string
	stacks     []string
	logGroups  []string
	functions  []string
	repos      []string
	clusters   []string
	officeIPs  []string
	remoteIPs  []string
	natIPs     []string
	roleNames  []string
	trail      string
	guardrails []string
}

var (
	firstNames = []string{"anna", "ben", "carla", "david", "elena", "farid", "grace", "hiro", "ines", "jamal",
		"katarzyna", "liam", "maria", "nikhil", "olivia", "pedro", "quinn", "rosa", "samir", "tanja",
		"umar", "valeria", "wei", "ximena", "yusuf", "zoe", "arjun", "bianca", "chen", "dmitri",
		"emma", "felix", "gabriela", "hannah", "ivan", "julia", "kofi", "lucia", "marco", "noor"}
	lastNames = []string{"schmidt", "nguyen", "garcia", "kowalski", "okafor", "tanaka", "silva", "muller", "rossi", "patel",
		"johansson", "dubois", "kim", "novak", "haddad", "fischer", "lopez", "ivanova", "mensah", "obrien",
		"yamamoto", "costa", "weber", "singh", "andersen", "moreau", "petrov", "santos", "zhang", "brown",
		"martin", "larsen", "bauer", "romero", "cohen", "mwangi", "hughes", "wagner", "ali", "park"}
	serviceUsers = []string{"svc-github-actions", "svc-terraform", "svc-datadog-integration", "svc-backup-sync",
		"jenkins-deployer", "svc-snowflake-export", "svc-grafana-cloudwatch", "svc-sentry-uploader", "svc-airflow"}
	appNames = []string{"orders-api", "invoice-renderer", "chat-assistant", "kb-ingest", "slack-summarizer",
		"image-thumbnailer", "report-exporter", "signup-webhook", "support-triage", "search-indexer",
		"fraud-scorer", "email-classifier", "doc-translator", "payments-reconciler", "catalog-enricher",
		"audit-forwarder", "meeting-notes", "code-review-bot", "sales-insights", "ticket-router"}
	fnSuffixes  = []string{"handler", "worker", "consumer", "processor", "api", "cron", "backend"}
	ec2Roles    = []string{"web-tier-ec2-role", "batch-worker-instance-role", "bastion-host-role", "jenkins-agent-role", "eks-nodegroup-NodeInstanceRole", "airflow-scheduler-role", "vpn-gateway-role"}
	ssoSets     = []string{"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "DataScientist", "Developer", "SecurityAudit", "BillingViewer"}
	awsServices = []string{"lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "cloudtrail.amazonaws.com", "s3.amazonaws.com", "logs.amazonaws.com", "config.amazonaws.com", "autoscaling.amazonaws.com", "secretsmanager.amazonaws.com", "elasticloadbalancing.amazonaws.com"}
	crossRoles  = []string{"github-actions-oidc-role", "org-security-audit-role", "central-backup-operator"}
	humanTZ     = []float64{-8, -5, -5, 0, 1, 1, 2, 5.5}
	humanUAs    = []string{"aws-cli/2.15.30 Python/3.11.8 Darwin/23.3.0 exe/x86_64 prompt/off%c", "aws-cli/2.17.20 Python/3.11.9 Linux/6.8.0-41-generic exe/x86_64.ubuntu.24 prompt/off%c", "aws-cli/2.22.4 Python/3.12.6 Windows/11 exe/AMD64 prompt/off%c", "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36", "aws-sdk-go-v2/1.30.3 os/macos lang/go#1.22.5 md/GOOS#darwin md/GOARCH#arm64", "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#6.5.0-1024-aws md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144 Jupyter"}
	consoleUAs  = []string{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15"}
	ciUAs       = []string{"APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64", "aws-cli/2.21.3 Python/3.12.6 Linux/6.5.0-1025-azure exe/x86_64.ubuntu.22 prompt/off%c", "aws-sdk-js/3.693.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/cloudformation#3.693.0 m/E", "Boto3/1.35.60 md/Botocore#1.35.60 ua/2.0 os/linux#5.15.0-1071-aws md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.35.60"}
	lambdaUAs   = []string{"Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145", "aws-sdk-js/3.621.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.17.0 exec-env/AWS_Lambda_nodejs20.x m/E", "aws-sdk-go-v2/1.30.4 ua/2.1 os/linux lang/go#1.22.6 md/GOOS#linux md/GOARCH#arm64 exec-env/AWS_Lambda_provided.al2023"}
	ec2UAs      = []string{"aws-sdk-go/1.50.31 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.987.0", "aws-cli/2.17.45 Python/3.12.5 Linux/6.1.109-118.189.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off%c", "aws-sdk-java/2.25.70 Linux/6.1.109-118.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS Java/17.0.12 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy"}
	ecsUAs      = []string{"aws-sdk-java/2.25.16 Linux/5.10.226-214.879.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy", "Boto3/1.35.20 md/Botocore#1.35.20 ua/2.0 os/linux#5.10.226-214.879.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#legacy Botocore/1.35.20", "aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 exec-env/AWS_ECS_FARGATE m/E"}
)

// newWorld builds the population and environment for a seed.
func newWorld(seed int64, account string, n int, benign float64) *world {
	r := newRand(seed, tagPopulation)
	w := &world{seed: seed, account: account, benign: benign}
	w.env = newEnv(r, account)

	counts := [numKinds]int{}
	for k := range numKinds {
		counts[k] = max(kindMix[k].least, int(math.Round(kindMix[k].share*float64(n))))
	}
	usedNames := map[string]bool{}
	for k := range numKinds {
		for i := range counts[k] {
			p := &principal{idx: len(w.ps), kind: k, account: account}
			w.makePrincipal(r, p, i, usedNames)
			w.ps = append(w.ps, p)
			w.byKind[k] = append(w.byKind[k], p)
		}
	}
	for _, p := range w.ps {
		if p.kind == kindLambda {
			w.env.functions = append(w.env.functions, p.session)
		}
		if p.roleArn != "" && p.account == account {
			w.env.roleNames = append(w.env.roleNames, p.userName)
		}
	}
	return w
}

func newEnv(r *rand.Rand, account string) env {
	var e env
	for _, b := range []string{"prod-data-lake", "terraform-state", "app-artifacts", "cloudtrail-logs", "bedrock-invocation-logs",
		"customer-uploads", "analytics-exports", "static-website", "ml-training-data", "backups", "athena-results", "kb-documents"} {
		e.buckets = append(e.buckets, "anycompany-"+b+"-"+account[8:])
	}
	e.buckets = append(e.buckets, "cdk-hnb659fds-assets-"+account+"-us-east-1", "aws-sam-cli-managed-default-samclisourcebucket-"+strings.ToLower(awsID(r, "", 12)))
	for i := range regions {
		for range 3 {
			e.kmsKeys[i] = append(e.kmsKeys[i], uuid(r))
		}
	}
	e.tables = []string{"orders", "sessions", "chat-history", "feature-flags", "invoices", "rate-limits", "kb-chunks", "audit-events"}
	e.params = []string{"/prod/orders-api/db_host", "/prod/orders-api/db_name", "/prod/shared/feature_flags", "/prod/chat-assistant/model_id",
		"/prod/chat-assistant/system_prompt", "/staging/orders-api/db_host", "/prod/kb-ingest/bucket", "/shared/datadog/api_key_arn",
		"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", "/prod/slack/webhook_url"}
	for _, s := range []string{"prod/orders-api/db", "prod/stripe/api-key", "prod/slack/bot-token", "prod/openai/fallback-key", "staging/orders-api/db", "prod/github/app-private-key"} {
		e.secrets = append(e.secrets, s+"-"+string(appendFrom(nil, r, alnum, 6)))
	}
	e.stacks = []string{"network-core", "orders-api-prod", "chat-assistant-prod", "kb-ingest-prod", "data-lake", "observability", "CDKToolkit", "orders-api-staging"}
	for _, a := range appNames {
		e.logGroups = append(e.logGroups, "/aws/lambda/"+a+"-"+fnSuffixes[len(a)%len(fnSuffixes)])
	}
	e.logGroups = append(e.logGroups, "/ecs/rag-api", "/ecs/orders-worker", "/aws/bedrock/modelinvocations", "aws-cloudtrail-logs-"+account+"-"+hexID(r, 8))
	e.repos = []string{"orders-api", "rag-api", "orders-worker", "kb-ingest", "base-images/python", "base-images/node"}
	e.clusters = []string{"prod-apps", "staging-apps", "ml-inference"}
	for i := range 12 {
		e.officeIPs = append(e.officeIPs, "198.51.100."+itoa(10+i*7))
	}
	for range 60 {
		e.remoteIPs = append(e.remoteIPs, "192.0.2."+itoa(2+r.IntN(250)))
	}
	for i := range 8 {
		e.natIPs = append(e.natIPs, "203.0.113."+itoa(10+i*3))
	}
	e.trail = "arn:aws:cloudtrail:us-east-1:" + account + ":trail/org-trail"
	e.guardrails = []string{strings.ToLower(awsID(r, "", 12)), strings.ToLower(awsID(r, "", 12))}
	return e
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

// makePrincipal fills in p, the i-th of its kind.
func (w *world) makePrincipal(r *rand.Rand, p *principal, i int, used map[string]bool) {
	acct := p.account
	e := &w.env
	uniqueName := func() string {
		for {
			n := pick(r, firstNames) + "." + pick(r, lastNames)
			if !used[n] {
				used[n] = true
				return n
			}
		}
	}
	home := newWeighted(regionWeight).draw(r)
	p.rate = kindMix[p.kind].rate * lognormal(r, 0, 0.7)
	p.curve = machineCurve
	switch p.kind {
	case kindUser:
		p.human = true
		p.userName = uniqueName()
		p.principalID = awsID(r, "AIDA", 17)
		p.arn = "arn:aws:iam::" + acct + ":user/" + p.userName
		p.accessKey = awsID(r, "AKIA", 16)
		p.ua = pick(r, humanUAs)
		if r.IntN(3) > 0 {
			p.consoleUA = pick(r, consoleUAs)
		}
		p.ips = []string{pick(r, e.officeIPs), pick(r, e.remoteIPs)}
		p.curve = humanCurve(pick(r, humanTZ))
		p.prof = profHuman
	case kindServiceUser:
		p.userName = serviceUsers[i%len(serviceUsers)]
		if i >= len(serviceUsers) {
			p.userName += "-" + itoa(i/len(serviceUsers)+1)
		}
		p.principalID = awsID(r, "AIDA", 17)
		p.arn = "arn:aws:iam::" + acct + ":user/" + p.userName
		p.accessKey = awsID(r, "AKIA", 16)
		p.ua = pick(r, ciUAs)
		p.ips = []string{pick(r, e.natIPs), "192.0.2." + itoa(200+r.IntN(50))}
		p.curve = ciCurve
		p.prof = profCI
		home = regionUSE1
	case kindSSO:
		p.human = true
		set := ssoSets[r.IntN(len(ssoSets))]
		p.userName = "AWSReservedSSO_" + set + "_" + hexID(r, 16)
		p.session = uniqueName() + "@anycompany.com"
		p.roleID = awsID(r, "AROA", 17)
		p.roleArn = "arn:aws:iam::" + acct + ":role/aws-reserved/sso.amazonaws.com/" + p.userName
		p.ua = pick(r, humanUAs)
		p.consoleUA = pick(r, consoleUAs)
		p.ips = []string{pick(r, e.officeIPs), pick(r, e.remoteIPs)}
		p.curve = humanCurve(pick(r, humanTZ))
		p.prof = profHuman
	case kindLambda:
		app := appNames[i%len(appNames)]
		p.session = app + "-" + fnSuffixes[r.IntN(len(fnSuffixes))]
		if i >= len(appNames) {
			p.session += "-v" + itoa(i/len(appNames)+1)
		}
		p.userName = p.session + "-role-" + strings.ToLower(string(appendFrom(nil, r, alnum, 8)))
		p.roleID = awsID(r, "AROA", 17)
		p.roleArn = "arn:aws:iam::" + acct + ":role/service-role/" + p.userName
		p.ua = pick(r, lambdaUAs)
		p.ips = []string{pick(r, e.natIPs)}
		p.prof = profLambda
		if r.IntN(4) == 0 {
			p.curve = batchCurve
		}
	case kindEC2:
		p.userName = ec2Roles[i%len(ec2Roles)]
		if i >= len(ec2Roles) {
			p.userName += "-" + itoa(i/len(ec2Roles)+1)
		}
		p.session = "i-0" + hexID(r, 16)
		p.roleID = awsID(r, "AROA", 17)
		p.roleArn = "arn:aws:iam::" + acct + ":role/" + p.userName
		p.ua = pick(r, ec2UAs)
		p.ips = []string{"10.0." + itoa(r.IntN(64)) + "." + itoa(4+r.IntN(250))}
		p.vpce = "vpce-0" + hexID(r, 16)
		p.prof = profEC2
	case kindECS:
		app := appNames[r.IntN(len(appNames))]
		p.userName = app + "-task-role"
		if i > 0 {
			p.userName = app + "-" + itoa(i) + "-task-role"
		}
		p.session = hexID(r, 32)
		p.roleID = awsID(r, "AROA", 17)
		p.roleArn = "arn:aws:iam::" + acct + ":role/" + p.userName
		p.ua = pick(r, ecsUAs)
		p.ips = []string{pick(r, e.natIPs)}
		p.prof = profECS
	case kindAWSService:
		p.service = awsServices[i%len(awsServices)]
		p.userName = p.service
		p.ua = p.service
		p.ips = []string{p.service}
		p.prof = profService
	case kindCrossAccount:
		p.account = CrossAccount
		p.userName = crossRoles[i%len(crossRoles)]
		p.session = "GitHubActions"
		if i%len(crossRoles) != 0 {
			p.session = "audit-" + hexID(r, 8)
		}
		p.roleID = awsID(r, "AROA", 17)
		p.roleArn = "arn:aws:iam::" + CrossAccount + ":role/" + p.userName
		p.ua = pick(r, ciUAs)
		p.ips = []string{pick(r, e.natIPs)}
		p.curve = ciCurve
		p.prof = profCI
		home = regionUSE1
	}
	if p.roleArn != "" {
		p.principalID = p.roleID + ":" + p.session
		p.arn = "arn:aws:sts::" + p.account + ":assumed-role/" + p.userName + "/" + p.session
	}
	for j := range regions {
		p.shares[j] = 0.15 * regionWeight[j] / (1 - regionWeight[home])
	}
	p.shares[home] = 0.85

	// Bedrock use: many applications, some people.
	useBedrock := false
	switch p.kind {
	case kindLambda, kindECS:
		useBedrock = i < 3 || r.IntN(10) < 4
		p.invRate = 480 * lognormal(r, 0, 0.8)
	case kindSSO:
		useBedrock = i < 2 || r.IntN(4) == 0
		p.invRate = 45 * lognormal(r, 0, 0.7)
	case kindUser:
		useBedrock = r.IntN(10) == 0
		p.invRate = 30 * lognormal(r, 0, 0.7)
	}
	if !useBedrock {
		p.invRate = 0
		return
	}
	p.invRegion = bedrockRegions[newWeighted([]float64{0.6, 0.3, 0.1}).draw(r)]
	nm := 1 + r.IntN(3)
	for range nm {
		p.models = append(p.models, modelTable.draw(r))
	}
	if p.human {
		p.ops = newWeighted([]float64{0.2, 0.45, 0.05, 0.3}) // InvokeModel, Converse, InvokeModelWithResponseStream, ConverseStream
	} else {
		p.ops = newWeighted([]float64{0.45, 0.3, 0.15, 0.1})
	}
	p.guardrail = r.IntN(3) == 0
}

// Daily rhythms: each curve sums to 1 over the day's slots.
var (
	machineCurve = normCurve(func(h float64) float64 { return 1 + 0.6*gauss(h, 15, 4.5) })
	batchCurve   = normCurve(func(h float64) float64 { return 0.6 + 0.3*gauss(h, 15, 4.5) + 4*gauss(h, 2.2, 0.3) })
	ciCurve      = normCurve(func(h float64) float64 { return 0.08 + gauss(h, 15, 3.5) })
	tzCurves     = map[float64]*[slotsPerDay]float64{}
)

// humanCurve is a working day in a time zone offset from UTC by tz hours.
func humanCurve(tz float64) *[slotsPerDay]float64 {
	if c, ok := tzCurves[tz]; ok {
		return c
	}
	c := normCurve(func(h float64) float64 {
		l := math.Mod(h+tz+24, 24)
		return 0.03 + gauss(l, 13.5, 2.6) - 0.3*gauss(l, 12.5, 0.4)
	})
	tzCurves[tz] = c
	return c
}

func init() {
	for _, tz := range humanTZ {
		humanCurve(tz)
	}
}

func gauss(x, mu, sigma float64) float64 {
	d := (x - mu) / sigma
	return math.Exp(-d * d / 2)
}

func normCurve(f func(hour float64) float64) *[slotsPerDay]float64 {
	var c [slotsPerDay]float64
	s := 0.0
	for i := range c {
		c[i] = max(f((float64(i)+0.5)*slotSeconds/3600), 0.001)
		s += c[i]
	}
	for i := range c {
		c[i] /= s
	}
	return &c
}
