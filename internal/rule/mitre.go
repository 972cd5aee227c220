package rule

import (
	"regexp"
	"strings"
)

// Names of the ATT&CK tactics, by id.
var attackTactics = map[string]string{
	"TA0001": "Initial Access", "TA0002": "Execution", "TA0003": "Persistence",
	"TA0004": "Privilege Escalation", "TA0005": "Defense Evasion", "TA0006": "Credential Access",
	"TA0007": "Discovery", "TA0008": "Lateral Movement", "TA0009": "Collection",
	"TA0010": "Exfiltration", "TA0011": "Command and Control", "TA0040": "Impact",
	"TA0042": "Resource Development", "TA0043": "Reconnaissance",
}

// A few ATT&CK techniques seen in cloud detections: name and, when the
// technique belongs to exactly one tactic, that tactic. Techniques not listed
// keep an empty name; nothing here is guessed.
var attackTechniques = map[string]struct{ name, tactic string }{
	"T1059": {"Command and Scripting Interpreter", "TA0002"},
	"T1069": {"Permission Groups Discovery", "TA0007"},
	"T1078": {"Valid Accounts", ""},
	"T1087": {"Account Discovery", "TA0007"},
	"T1098": {"Account Manipulation", ""},
	"T1110": {"Brute Force", "TA0006"},
	"T1136": {"Create Account", "TA0003"},
	"T1190": {"Exploit Public-Facing Application", "TA0001"},
	"T1485": {"Data Destruction", "TA0040"},
	"T1496": {"Resource Hijacking", "TA0040"},
	"T1526": {"Cloud Service Discovery", "TA0007"},
	"T1530": {"Data from Cloud Storage", "TA0009"},
	"T1537": {"Transfer Data to Cloud Account", "TA0010"},
	"T1552": {"Unsecured Credentials", "TA0006"},
	"T1562": {"Impair Defenses", "TA0005"},
	"T1580": {"Cloud Infrastructure Discovery", "TA0007"},
	"T1595": {"Active Scanning", "TA0043"},
	"T1619": {"Cloud Storage Object Discovery", "TA0007"},
}

// Names of the ATLAS tactics and techniques tripline's own rules use.
var atlasNames = map[string]string{
	"AML.TA0004": "Initial Access",
	"AML.TA0007": "Defense Evasion",
	"AML.TA0010": "Exfiltration",
	"AML.TA0011": "Impact",
	"AML.T0015":  "Evade AI Model",
	"AML.T0029":  "Denial of AI Service",
	"AML.T0034":  "Cost Harvesting",
	"AML.T0051":  "LLM Prompt Injection",
	"AML.T0054":  "LLM Jailbreak",
	"AML.T0057":  "LLM Data Leakage",
}

var atlasIDRe = regexp.MustCompile(`^AML\.T\d{4}(\.\d{3})?$`)

// frameworkOf guesses the framework of a tactic or technique id.
func frameworkOf(id string) string {
	if strings.HasPrefix(strings.ToUpper(id), "AML.") {
		return FrameworkATLAS
	}
	return FrameworkATTACK
}

// reference returns the public page of a tactic or technique.
func reference(framework, id string, tactic bool) string {
	if id == "" {
		return ""
	}
	if framework == FrameworkATLAS {
		if tactic {
			return "https://atlas.mitre.org/tactics/" + id
		}
		return "https://atlas.mitre.org/techniques/" + id
	}
	if tactic {
		return "https://attack.mitre.org/tactics/" + id + "/"
	}
	return "https://attack.mitre.org/techniques/" + strings.ReplaceAll(id, ".", "/") + "/"
}

// MitreName returns the name tripline knows for an ATT&CK or ATLAS tactic
// or technique id ("TA0007" is "Discovery"), or "".
func MitreName(id string) string { return knownName(frameworkOf(id), id) }

// knownName returns the name tripline knows for an id, or "".
func knownName(framework, id string) string {
	if framework == FrameworkATLAS {
		return atlasNames[id]
	}
	if n, ok := attackTactics[id]; ok {
		return n
	}
	return attackTechniques[id].name
}

// fillRef completes a reference's name and address where they are empty.
func fillRef(framework string, r *Ref, tactic bool) {
	if r.ID == "" {
		return
	}
	if r.Name == "" {
		r.Name = knownName(framework, r.ID)
	}
	if r.Reference == "" {
		r.Reference = reference(framework, r.ID, tactic)
	}
}

// completeThreat fills the framework, names and references a threat entry left out.
func completeThreat(t *Threat) {
	if t.Framework == "" {
		id := t.Tactic.ID
		if id == "" && len(t.Techniques) > 0 {
			id = t.Techniques[0].ID
		}
		t.Framework = frameworkOf(id)
	}
	fillRef(t.Framework, &t.Tactic, true)
	for i := range t.Techniques {
		fillRef(t.Framework, &t.Techniques[i].Ref, false)
		for j := range t.Techniques[i].Subtechniques {
			fillRef(t.Framework, &t.Techniques[i].Subtechniques[j], false)
		}
	}
}

// attackThreats turns ATT&CK technique ids (Splunk's mitre_attack_id) into
// threat entries grouped by tactic where the tactic is known; sub-technique
// ids land under their parent technique.
func attackThreats(ids []string) []Threat {
	var out []Threat
	byTactic := map[string]int{}
	for _, raw := range ids {
		id := strings.ToUpper(strings.TrimSpace(raw))
		if id == "" {
			continue
		}
		parent, sub, isSub := strings.Cut(id, ".")
		tactic := attackTechniques[parent].tactic
		i, ok := byTactic[tactic]
		if !ok {
			i = len(out)
			byTactic[tactic] = i
			out = append(out, Threat{Framework: FrameworkATTACK, Tactic: Ref{ID: tactic}})
		}
		th := &out[i]
		var te *Technique
		for k := range th.Techniques {
			if th.Techniques[k].ID == parent {
				te = &th.Techniques[k]
			}
		}
		if te == nil {
			th.Techniques = append(th.Techniques, Technique{Ref: Ref{ID: parent}})
			te = &th.Techniques[len(th.Techniques)-1]
		}
		if isSub && sub != "" {
			te.Subtechniques = append(te.Subtechniques, Ref{ID: id})
		}
	}
	for i := range out {
		completeThreat(&out[i])
	}
	return out
}

// atlasFromTags reads Elastic's "Mitre Atlas: T0015" tags into one ATLAS
// threat entry without a tactic (the tags do not say which), leaving out
// techniques the rule already lists.
func atlasFromTags(tags []string, have []Threat) []Threat {
	listed := map[string]bool{}
	for _, th := range have {
		if th.Framework != FrameworkATLAS {
			continue
		}
		for _, te := range th.Techniques {
			listed[te.ID] = true
		}
	}
	var th Threat
	for _, tag := range tags {
		k, v, ok := strings.Cut(tag, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "mitre atlas") {
			continue
		}
		id := strings.ToUpper(strings.TrimSpace(v))
		if !strings.HasPrefix(id, "AML.") {
			id = "AML." + id
		}
		if !atlasIDRe.MatchString(id) || listed[id] {
			continue
		}
		listed[id] = true
		th.Techniques = append(th.Techniques, Technique{Ref: Ref{ID: id}})
	}
	if len(th.Techniques) == 0 {
		return nil
	}
	th.Framework = FrameworkATLAS
	completeThreat(&th)
	return []Threat{th}
}
