package generate

import (
	"math/rand/v2"
	"strings"
	"time"
)

// ctEvent is one CloudTrail record before rendering. Empty strings mean
// "the principal's usual".
type ctEvent struct {
	t       time.Time
	p       *principal
	api     int
	region  int
	console bool

	ip, ua, accessKey string
	errCode, errMsg   string
	model             string // modelId for Bedrock calls
	requestID         string // kept equal to the invocation log's requestId
	// params and resp are requestParameters and responseElements as JSON
	// text, for planted calls whose api has params pRaw; "" writes null.
	params, resp string
}

// sessionCred is a role session's temporary key.
type sessionCred struct {
	period  int
	key     string
	created time.Time
}

// renderer turns ctEvents into JSON. It holds per-file caches and is not
// safe for concurrent use.
type renderer struct {
	w     *world
	day   time.Time
	r     *rand.Rand
	creds map[int]sessionCred
	buf   []byte
}

func newRenderer(w *world, day time.Time, r *rand.Rand) *renderer {
	return &renderer{w: w, day: day, r: r, creds: map[int]sessionCred{}}
}

// sessionKey returns the temporary key the principal uses at t. Keys rotate
// every few hours and depend only on the seed, principal and period.
func (x *renderer) sessionKey(p *principal, t time.Time) sessionCred {
	hours := 6
	if p.human {
		hours = 10
	}
	period := int(t.Sub(x.day).Hours()) / hours
	if c, ok := x.creds[p.idx]; ok && c.period == period {
		return c
	}
	r := newRand(x.w.seed, tagPopulation, 1000+uint64(p.idx), uint64(period+10))
	c := sessionCred{period: period, key: awsID(r, "ASIA", 16)}
	c.created = x.day.Add(time.Duration(period*hours)*time.Hour + time.Duration(r.IntN(1800))*time.Second)
	if c.created.After(t) {
		c.created = t.Add(-time.Duration(1+r.IntN(300)) * time.Second)
	}
	x.creds[p.idx] = c
	return c
}

// benign fills a normal call by p in region at t.
func (x *renderer) benign(p *principal, region int, t time.Time) ctEvent {
	r := x.r
	e := ctEvent{t: t, p: p, region: region}
	mx := &mixes[p.prof]
	if region == regionUSE1 {
		e.api = mx.idx[mx.all.draw(r)]
	} else {
		e.api = mx.ridx[mx.regional.draw(r)]
	}
	if p.consoleUA != "" && r.IntN(10) < 3 {
		e.console = true
		if p.kind == kindUser && region == regionUSE1 && r.IntN(40) == 0 {
			e.api = apiConsoleLogin
		}
	}
	if p.quietBedrock && apis[e.api].src == "bedrock.amazonaws.com" {
		// A principal a scenario plants Bedrock activity for makes no
		// Bedrock control-plane calls of its own, so its groups are exact.
		e.api = apiGetCallerIdentity
	}
	a := &apis[e.api]
	deny, throttle := 0.0015, 0.002
	if p.human {
		deny, throttle = 0.008, 0.001
	} else if p.kind == kindServiceUser || p.kind == kindCrossAccount {
		deny = 0.005
	}
	switch u := r.Float64(); {
	case e.api == apiListFoundationModels || e.api == apiConsoleLogin:
		// Denials of ListFoundationModels are planted, never random, so
		// that the Splunk rule's groups are known exactly.
	case u < deny:
		e.errCode = a.denied
	case u < deny+throttle:
		e.errCode = "ThrottlingException"
		e.errMsg = "Rate exceeded"
		if a.src == "ec2.amazonaws.com" {
			e.errCode, e.errMsg = "Client.RequestLimitExceeded", "Request limit exceeded."
		}
	case u < deny+throttle+a.otherRate:
		e.errCode, e.errMsg = a.other, a.otherMsg
	}
	if a.params == pModel {
		e.model = models[modelTable.draw(r)].id
	}
	return e
}

// deniedMessage is the errorMessage AWS writes for an IAM denial.
func deniedMessage(arn string, a *api, resource string) string {
	prefix := strings.TrimSuffix(a.src, ".amazonaws.com")
	if prefix == "monitoring" {
		prefix = "cloudwatch"
	}
	action := a.name
	if i := strings.Index(action, "2015"); i > 0 {
		action = action[:i]
	}
	var b strings.Builder
	if a.denied == "Client.UnauthorizedOperation" {
		b.WriteString("You are not authorized to perform this operation. ")
	}
	b.WriteString("User: ")
	b.WriteString(arn)
	b.WriteString(" is not authorized to perform: ")
	b.WriteString(prefix)
	b.WriteByte(':')
	b.WriteString(action)
	if resource != "" {
		b.WriteString(" on resource: ")
		b.WriteString(resource)
	}
	b.WriteString(" because no identity-based policy allows the ")
	b.WriteString(prefix)
	b.WriteByte(':')
	b.WriteString(action)
	b.WriteString(" action")
	return b.String()
}

var humanRoles = []string{"deploy-role", "read-only-audit", "terraform-apply-role", "break-glass-admin", "data-analyst-role"}

// render appends e as one JSON object.
func (x *renderer) render(b []byte, e *ctEvent) []byte {
	r := x.r
	w := x.w
	p := e.p
	a := &apis[e.api]
	region := regions[e.region]
	if a.global {
		region = regions[regionUSE1]
	}
	eventVersion := "1.09"
	if a.host == "bedrock-runtime" {
		eventVersion = "1.10"
	}
	b = append(b, '{')
	b = fstr(b, "eventVersion", eventVersion)

	// userIdentity
	b = fobj(b, "userIdentity")
	var cred sessionCred
	switch {
	case p.kind == kindAWSService:
		b = fstr(b, "type", "AWSService")
		b = fstr(b, "invokedBy", p.service)
	case p.roleArn == "":
		b = fstr(b, "type", "IAMUser")
		b = fstr(b, "principalId", p.principalID)
		b = fstr(b, "arn", p.arn)
		b = fstr(b, "accountId", p.account)
		switch {
		case e.accessKey != "":
			b = fstr(b, "accessKeyId", e.accessKey)
		case e.api == apiConsoleLogin:
		case e.console:
			cred = x.sessionKey(p, e.t)
			b = fstr(b, "accessKeyId", cred.key)
		default:
			b = fstr(b, "accessKeyId", p.accessKey)
		}
		b = fstr(b, "userName", p.userName)
		if e.console && e.api != apiConsoleLogin {
			b = fobj(b, "sessionContext")
			b = append(fobj(b, "sessionIssuer"), '}')
			b = append(fobj(b, "webIdFederationData"), '}')
			b = fobj(b, "attributes")
			b = ftime(b, "creationDate", cred.created)
			b = fstr(b, "mfaAuthenticated", "true")
			b = append(b, '}', '}')
		}
	default:
		cred = x.sessionKey(p, e.t)
		b = fstr(b, "type", "AssumedRole")
		b = fstr(b, "principalId", p.principalID)
		b = fstr(b, "arn", p.arn)
		b = fstr(b, "accountId", p.account)
		if e.accessKey != "" {
			b = fstr(b, "accessKeyId", e.accessKey)
		} else {
			b = fstr(b, "accessKeyId", cred.key)
		}
		b = fobj(b, "sessionContext")
		b = fobj(b, "sessionIssuer")
		b = fstr(b, "type", "Role")
		b = fstr(b, "principalId", p.roleID)
		b = fstr(b, "arn", p.roleArn)
		b = fstr(b, "accountId", p.account)
		b = fstr(b, "userName", p.userName)
		b = append(b, '}')
		b = append(fobj(b, "webIdFederationData"), '}')
		b = fobj(b, "attributes")
		b = ftime(b, "creationDate", cred.created)
		b = fstr(b, "mfaAuthenticated", "false")
		b = append(b, '}')
		if p.kind == kindEC2 {
			b = fstr(b, "ec2RoleDelivery", "2.0")
		}
		b = append(b, '}')
	}
	b = append(b, '}')

	b = ftime(b, "eventTime", e.t)
	b = fstr(b, "eventSource", a.src)
	b = fstr(b, "eventName", a.name)
	b = fstr(b, "awsRegion", region)

	ip := e.ip
	if ip == "" {
		ip = p.ips[0]
		if len(p.ips) > 1 && r.IntN(4) == 0 {
			ip = p.ips[1+r.IntN(len(p.ips)-1)]
		}
	}
	b = fstr(b, "sourceIPAddress", ip)
	b = key(b, "userAgent")
	switch {
	case e.ua != "":
		b = appendString(b, e.ua)
	case e.console && p.consoleUA != "":
		switch {
		case e.api == apiConsoleLogin || r.IntN(2) == 0:
			b = appendString(b, p.consoleUA)
		default:
			b = appendString(b, "AWS Internal")
		}
	default:
		b = appendUA(b, p.ua, a.cmd)
	}
	if e.errCode != "" {
		b = fstr(b, "errorCode", e.errCode)
		msg := e.errMsg
		if msg == "" && e.errCode == a.denied {
			msg = deniedMessage(p.arn, a, x.resourceFor(e))
		}
		if msg != "" {
			b = fstr(b, "errorMessage", msg)
		}
	}

	b = key(b, "requestParameters")
	b = x.params(b, e, region)
	b = key(b, "responseElements")
	b = x.response(b, e, region)
	if e.api == apiConsoleLogin {
		b = fobj(b, "additionalEventData")
		b = fstr(b, "LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true")
		b = fstr(b, "MobileVersion", "No")
		b = fstr(b, "MFAUsed", "Yes")
		b = append(b, '}')
	} else {
		switch {
		case e.requestID != "":
			b = fstr(b, "requestID", e.requestID)
		case a.src == "s3.amazonaws.com":
			b = append(key(b, "requestID"), '"')
			b = appendFrom(b, r, upperBase32[:26]+"0123456789", 16)
			b = append(b, '"')
		default:
			b = append(key(b, "requestID"), '"')
			b = appendUUID(b, r)
			b = append(b, '"')
		}
	}
	b = append(key(b, "eventID"), '"')
	b = appendUUID(b, r)
	b = append(b, '"')
	b = fbool(b, "readOnly", a.ro)
	b = x.resources(b, e, region)
	if e.api == apiConsoleLogin {
		b = fstr(b, "eventType", "AwsConsoleSignIn")
	} else {
		b = fstr(b, "eventType", "AwsApiCall")
	}
	if a.src == "lambda.amazonaws.com" {
		b = fstr(b, "apiVersion", "2015-03-31")
	}
	b = fbool(b, "managementEvent", true)
	b = fstr(b, "recipientAccountId", w.account)
	if p.kind == kindAWSService && a.name == "AssumeRole" {
		b = append(key(b, "sharedEventID"), '"')
		b = appendUUID(b, r)
		b = append(b, '"')
	}
	if p.vpce != "" && e.ip == "" {
		b = fstr(b, "vpcEndpointId", p.vpce)
		b = fstr(b, "vpcEndpointAccountId", w.account)
	}
	b = fstr(b, "eventCategory", "Management")
	if p.kind != kindAWSService {
		b = fobj(b, "tlsDetails")
		if e.console || r.IntN(5) > 0 {
			b = fstr(b, "tlsVersion", "TLSv1.3")
			b = fstr(b, "cipherSuite", "TLS_AES_128_GCM_SHA256")
		} else {
			b = fstr(b, "tlsVersion", "TLSv1.2")
			b = fstr(b, "cipherSuite", "ECDHE-RSA-AES128-GCM-SHA256")
		}
		b = key(b, "clientProvidedHostHeader")
		b = x.host(b, e, region)
		b = append(b, '}')
	}
	if e.console && p.kind == kindUser && e.api != apiConsoleLogin {
		b = fstr(b, "sessionCredentialFromConsole", "true")
	}
	return append(b, '}')
}

// appendUA appends a user agent as a JSON string, replacing "%c" with the
// aws-cli command.
func appendUA(b []byte, ua, cmd string) []byte {
	if i := strings.Index(ua, "%c"); i >= 0 {
		b = appendString(b, ua[:i])
		b = b[:len(b)-1] // reopen the string; ua and cmd need no escaping
		b = append(b, cmd...)
		b = append(b, ua[i+2:]...)
		return append(b, '"')
	}
	return appendString(b, ua)
}

// uaString is the user agent appendUA writes, as a Go string.
func uaString(ua, cmd string) string {
	if i := strings.Index(ua, "%c"); i >= 0 {
		return ua[:i] + cmd + ua[i+2:]
	}
	return ua
}

// host appends the TLS host header the client sent, as a JSON string.
func (x *renderer) host(b []byte, e *ctEvent, region string) []byte {
	a := &apis[e.api]
	svc := strings.TrimSuffix(a.src, ".amazonaws.com")
	b = append(b, '"')
	switch {
	case a.host == "signin.aws.amazon.com":
		b = append(b, "signin.aws.amazon.com"...)
	case a.host != "":
		b = append(b, a.host...)
		b = append(b, '.')
		b = append(b, region...)
		b = append(b, ".amazonaws.com"...)
	case a.global:
		b = append(b, svc...)
		b = append(b, ".amazonaws.com"...)
	case svc == "s3" && a.params == pBucket:
		b = append(b, x.bucket(e)...)
		b = append(b, ".s3."...)
		b = append(b, region...)
		b = append(b, ".amazonaws.com"...)
	case svc == "s3":
		b = append(b, "s3.amazonaws.com"...)
	default:
		b = append(b, svc...)
		b = append(b, '.')
		b = append(b, region...)
		b = append(b, ".amazonaws.com"...)
	}
	return append(b, '"')
}

// The resource an event names is chosen from the event's own fields, so
// that params, host and resources agree without extra state.
func (x *renderer) choice(e *ctEvent, n int) int {
	h := mix(uint64(e.t.Unix())*31 + uint64(e.p.idx)*7 + uint64(e.api))
	return int(h % uint64(n))
}

func (x *renderer) bucket(e *ctEvent) string {
	return x.w.env.buckets[x.choice(e, len(x.w.env.buckets))]
}

func (x *renderer) kmsKey(e *ctEvent) string {
	keys := x.w.env.kmsKeys[e.region]
	if apis[e.api].global {
		keys = x.w.env.kmsKeys[regionUSE1]
	}
	return keys[x.choice(e, len(keys))]
}

func (x *renderer) kmsKeyArn(e *ctEvent, region string) string {
	return "arn:aws:kms:" + region + ":" + x.w.account + ":key/" + x.kmsKey(e)
}

// resourceFor names the resource in a denial message, "" when none.
func (x *renderer) resourceFor(e *ctEvent) string {
	a := &apis[e.api]
	region := regions[e.region]
	switch a.params {
	case pKMSDecrypt, pKMSDataKey, pKMSKey:
		return x.kmsKeyArn(e, region)
	case pBucket:
		return "arn:aws:s3:::" + x.bucket(e)
	case pModel:
		return "arn:aws:bedrock:" + region + "::foundation-model/" + e.model
	case pSecret:
		return "arn:aws:secretsmanager:" + region + ":" + x.w.account + ":secret:" + x.w.env.secrets[x.choice(e, len(x.w.env.secrets))]
	}
	return ""
}

// assumeTarget is the role an AssumeRole call names and its session name.
func (x *renderer) assumeTarget(e *ctEvent) (roleArn, roleName, session string, p2 *principal) {
	w := x.w
	p := e.p
	var pool []*principal
	switch p.service {
	case "lambda.amazonaws.com":
		pool = w.byKind[kindLambda]
	case "ec2.amazonaws.com":
		pool = w.byKind[kindEC2]
	case "ecs-tasks.amazonaws.com":
		pool = w.byKind[kindECS]
	}
	if len(pool) > 0 {
		t := pool[x.choice(e, len(pool))]
		return t.roleArn, t.userName, t.session, t
	}
	name := humanRoles[x.choice(e, len(humanRoles))]
	session = p.userName
	if p.session != "" {
		session = p.session
	}
	if len(session) > 64 {
		session = session[:64]
	}
	if p.kind == kindAWSService {
		session = "AWSService-" + strings.TrimSuffix(p.service, ".amazonaws.com")
	}
	return "arn:aws:iam::" + w.account + ":role/" + name, name, session, nil
}

// params appends requestParameters.
func (x *renderer) params(b []byte, e *ctEvent, region string) []byte {
	w := x.w
	r := x.r
	a := &apis[e.api]
	switch a.params {
	case pNull:
		return append(b, "null"...)
	case pEmpty:
		return append(b, "{}"...)
	case pFilterSet:
		b = append(b, '{')
		b = append(fobj(b, "filterSet"), '}')
		return append(b, '}')
	case pInstancesSet:
		b = append(b, '{')
		b = append(fobj(b, "instancesSet"), '}')
		b = append(fobj(b, "filterSet"), '}')
		if a.name == "DescribeInstanceStatus" {
			b = fbool(b, "includeAllInstances", false)
		}
		return append(b, '}')
	case pBucket:
		bk := x.bucket(e)
		b = append(b, '{')
		b = fstr(b, "bucketName", bk)
		b = fstr(b, "Host", bk+".s3."+region+".amazonaws.com")
		switch a.name {
		case "GetBucketLocation":
			b = fstr(b, "location", "")
		case "GetBucketAcl":
			b = fstr(b, "acl", "")
		case "GetBucketPolicy", "PutBucketPolicy":
			b = fstr(b, "policy", "")
		case "GetBucketVersioning":
			b = fstr(b, "versioning", "")
		case "GetBucketTagging":
			b = fstr(b, "tagging", "")
		}
		return append(b, '}')
	case pKMSDecrypt:
		b = append(b, '{')
		b = fstr(b, "encryptionAlgorithm", "SYMMETRIC_DEFAULT")
		if e.p.kind == kindLambda {
			b = fobj(b, "encryptionContext")
			b = fstr(b, "aws:lambda:FunctionArn", "arn:aws:lambda:"+region+":"+w.account+":function:"+e.p.session)
			b = append(b, '}')
		}
		b = fstr(b, "keyId", x.kmsKeyArn(e, region))
		return append(b, '}')
	case pKMSDataKey:
		b = append(b, '{')
		b = fstr(b, "keyId", x.kmsKeyArn(e, region))
		b = fstr(b, "keySpec", "AES_256")
		return append(b, '}')
	case pKMSKey:
		b = append(b, '{')
		b = fstr(b, "keyId", "alias/aws/"+[]string{"s3", "secretsmanager", "lambda", "ebs"}[x.choice(e, 4)])
		return append(b, '}')
	case pAssumeRole:
		roleArn, _, session, _ := x.assumeTarget(e)
		b = append(b, '{')
		b = fstr(b, "roleArn", roleArn)
		b = fstr(b, "roleSessionName", session)
		b = fint(b, "durationSeconds", 3600)
		return append(b, '}')
	case pParam:
		b = append(b, '{')
		prm := w.env.params[x.choice(e, len(w.env.params))]
		if a.name == "GetParametersByPath" {
			b = fstr(b, "path", prm[:strings.LastIndexByte(prm, '/')])
			b = fbool(b, "recursive", true)
		} else {
			b = fstr(b, "name", prm)
		}
		b = fbool(b, "withDecryption", true)
		return append(b, '}')
	case pParams:
		b = append(b, '{')
		b = farr(b, "names")
		n := 2 + x.choice(e, 3)
		for i := range n {
			b = vstr(b, w.env.params[(x.choice(e, len(w.env.params))+i)%len(w.env.params)])
		}
		b = append(b, ']')
		b = fbool(b, "withDecryption", true)
		return append(b, '}')
	case pSecret:
		b = append(b, '{')
		b = fstr(b, "secretId", "arn:aws:secretsmanager:"+region+":"+w.account+":secret:"+w.env.secrets[x.choice(e, len(w.env.secrets))])
		return append(b, '}')
	case pTable:
		b = append(b, '{')
		b = fstr(b, "tableName", w.env.tables[x.choice(e, len(w.env.tables))])
		return append(b, '}')
	case pLogStream:
		b = append(b, '{')
		if e.p.kind == kindLambda {
			b = fstr(b, "logGroupName", "/aws/lambda/"+e.p.session)
		} else {
			b = fstr(b, "logGroupName", w.env.logGroups[x.choice(e, len(w.env.logGroups))])
		}
		b = append(key(b, "logStreamName"), '"')
		b = e.t.UTC().AppendFormat(b, "2006/01/02")
		b = append(b, "/[$LATEST]"...)
		b = appendHex(b, r.Uint64(), 16)
		b = appendHex(b, r.Uint64(), 16)
		b = append(b, '"')
		return append(b, '}')
	case pLogGroup:
		b = append(b, '{')
		b = fstr(b, "logGroupName", w.env.logGroups[x.choice(e, len(w.env.logGroups))])
		if a.name == "FilterLogEvents" {
			b = fint(b, "startTime", e.t.Add(-time.Hour).UnixMilli())
			b = fint(b, "endTime", e.t.UnixMilli())
			b = fbool(b, "interleaved", true)
		} else {
			b = fbool(b, "descending", true)
			b = fstr(b, "orderBy", "LastEventTime")
		}
		return append(b, '}')
	case pQuery:
		b = append(b, '{')
		b = farr(b, "logGroupNames")
		b = vstr(b, w.env.logGroups[x.choice(e, len(w.env.logGroups))])
		b = append(b, ']')
		b = fint(b, "startTime", e.t.Add(-3*time.Hour).Unix())
		b = fint(b, "endTime", e.t.Unix())
		b = fstr(b, "queryString", "fields @timestamp, @message\n| filter @message like /ERROR/\n| sort @timestamp desc\n| limit 100")
		return append(b, '}')
	case pFunction:
		b = append(b, '{')
		fns := w.env.functions
		if len(fns) == 0 {
			fns = appNames
		}
		b = fstr(b, "functionName", fns[x.choice(e, len(fns))])
		return append(b, '}')
	case pUserName:
		b = append(b, '{')
		b = fstr(b, "userName", e.p.userName)
		return append(b, '}')
	case pRoleName:
		b = append(b, '{')
		if len(w.env.roleNames) > 0 {
			b = fstr(b, "roleName", w.env.roleNames[x.choice(e, len(w.env.roleNames))])
		} else {
			b = fstr(b, "roleName", humanRoles[0])
		}
		return append(b, '}')
	case pStack:
		b = append(b, '{')
		st := w.env.stacks[x.choice(e, len(w.env.stacks))]
		b = fstr(b, "stackName", st)
		if strings.Contains(a.name, "ChangeSet") {
			b = fstr(b, "changeSetName", "cdk-deploy-change-set")
		}
		return append(b, '}')
	case pModel:
		b = append(b, '{')
		b = fstr(b, "modelId", e.model)
		return append(b, '}')
	case pMaxResults:
		b = append(b, '{')
		b = fint(b, "maxResults", 100)
		return append(b, '}')
	case pRepo:
		b = append(b, '{')
		b = fstr(b, "repositoryName", w.env.repos[x.choice(e, len(w.env.repos))])
		return append(b, '}')
	case pCluster:
		b = append(b, '{')
		b = fstr(b, "cluster", w.env.clusters[x.choice(e, len(w.env.clusters))])
		if a.name == "UpdateService" {
			b = fstr(b, "service", w.env.repos[x.choice(e, 3)])
			b = fbool(b, "forceNewDeployment", true)
		} else {
			b = farr(b, "services")
			b = vstr(b, w.env.repos[x.choice(e, 3)])
			b = append(b, ']')
		}
		return append(b, '}')
	case pInstanceInfo:
		b = append(b, '{')
		id := e.p.session
		if !strings.HasPrefix(id, "i-") {
			id = "i-0" + hexID(r, 16)
		}
		switch a.name {
		case "UpdateInstanceInformation":
			b = fstr(b, "instanceId", id)
			b = fstr(b, "agentVersion", "3.3.987.0")
			b = fstr(b, "agentStatus", "Active")
			b = fstr(b, "platformType", "Linux")
			b = fstr(b, "platformName", "Amazon Linux")
			b = fstr(b, "platformVersion", "2023")
			b = fstr(b, "iPAddress", e.p.ips[0])
			b = fstr(b, "computerName", "ip-"+strings.ReplaceAll(e.p.ips[0], ".", "-")+"."+region+".compute.internal")
		case "DescribeAutoScalingInstances":
			b = farr(b, "instanceIds")
			b = vstr(b, id)
			b = append(b, ']')
		case "StartSession":
			b = fstr(b, "target", id)
		default:
			b = fstr(b, "instanceId", id)
		}
		return append(b, '}')
	case pMetricData:
		b = append(b, '{')
		b = farr(b, "metricDataQueries")
		b = append(b, '{')
		b = fstr(b, "id", "m1")
		b = fobj(b, "metricStat")
		b = fobj(b, "metric")
		b = fstr(b, "namespace", []string{"AWS/Lambda", "AWS/EC2", "AWS/Bedrock", "AWS/DynamoDB"}[x.choice(e, 4)])
		b = fstr(b, "metricName", []string{"Invocations", "CPUUtilization", "InputTokenCount", "ConsumedReadCapacityUnits"}[x.choice(e, 4)])
		b = append(b, '}')
		b = fint(b, "period", 300)
		b = fstr(b, "stat", "Average")
		b = append(b, '}', '}', ']')
		b = fstr(b, "startTime", e.t.Add(-3*time.Hour).UTC().Format("Jan 2, 2006, 3:04:05 PM"))
		b = fstr(b, "endTime", e.t.UTC().Format("Jan 2, 2006, 3:04:05 PM"))
		return append(b, '}')
	case pAlarms:
		b = append(b, '{')
		b = fint(b, "maxRecords", 100)
		return append(b, '}')
	case pRaw:
		if e.params == "" {
			return append(b, "null"...)
		}
		return append(b, e.params...)
	}
	panic("BUG: unknown parameter kind")
}

// response appends responseElements.
func (x *renderer) response(b []byte, e *ctEvent, region string) []byte {
	if e.errCode != "" {
		return append(b, "null"...)
	}
	if e.resp != "" {
		return append(b, e.resp...)
	}
	a := &apis[e.api]
	r := x.r
	switch a.resp {
	case rConsoleLogin:
		return append(b, `{"ConsoleLogin":"Success"}`...)
	case rAuthToken:
		b = append(b, '{')
		b = fstr(b, "authorizationData", "HIDDEN_DUE_TO_SECURITY_REASONS")
		return append(b, '}')
	case rAssumeRole:
		_, roleName, session, target := x.assumeTarget(e)
		roleID := "AROA" + strings.ToUpper(hexID(r, 17))
		if target != nil {
			roleID = target.roleID
		}
		b = append(b, '{')
		b = fobj(b, "credentials")
		b = fstr(b, "accessKeyId", awsID(r, "ASIA", 16))
		b = append(key(b, "sessionToken"), '"')
		b = append(b, "IQoJb3JpZ2luX2Vj"...)
		b = appendFrom(b, r, alnum, 96)
		b = append(b, '"')
		b = fstr(b, "expiration", e.t.Add(time.Hour).UTC().Format("Jan 2, 2006, 3:04:05 PM"))
		b = append(b, '}')
		b = fobj(b, "assumedRoleUser")
		b = fstr(b, "assumedRoleId", roleID+":"+session)
		b = fstr(b, "arn", "arn:aws:sts::"+x.w.account+":assumed-role/"+roleName+"/"+session)
		b = append(b, '}')
		return append(b, '}')
	}
	return append(b, "null"...)
}

// resources appends the resources array where CloudTrail writes one.
func (x *renderer) resources(b []byte, e *ctEvent, region string) []byte {
	a := &apis[e.api]
	typ, arn := "", ""
	switch a.params {
	case pKMSDecrypt, pKMSDataKey:
		typ, arn = "AWS::KMS::Key", x.kmsKeyArn(e, region)
	case pAssumeRole:
		arn, _, _, _ = x.assumeTarget(e)
		typ = "AWS::IAM::Role"
	case pBucket:
		typ, arn = "AWS::S3::Bucket", "arn:aws:s3:::"+x.bucket(e)
	default:
		return b
	}
	b = farr(b, "resources")
	b = append(b, '{')
	b = fstr(b, "accountId", x.w.account)
	b = fstr(b, "type", typ)
	b = fstr(b, "ARN", arn)
	return append(b, '}', ']')
}
