package schema

import "github.com/tripline/tripline/internal/event"

// cloudTrailCategory is the ECS categorization Elastic's aws.cloudtrail
// pipeline gives an event by its eventName (the processor tagged "Add ECS
// categorization"): event.category and event.type. An action not listed
// has no event.category and event.type ["info"].
var cloudTrailCategory = map[string]struct{ category, types []string }{}

func init() {
	iam, auth, file := []string{"iam"}, []string{"authentication"}, []string{"file"}
	set := func(cat []string, types []string, actions ...string) {
		for _, a := range actions {
			cloudTrailCategory[a] = struct{ category, types []string }{cat, types}
		}
	}
	set(auth, []string{"info"}, "AssumeRole", "ConsoleLogin")
	set(file, []string{"creation"}, "CreateBucket")
	set(file, []string{"deletion"}, "DeleteBucket")
	set(iam, []string{"group", "change"}, "AddUserToGroup", "AttachGroupPolicy", "DeleteGroupPolicy",
		"DetachGroupPolicy", "PutGroupPolicy", "RemoveUserFromGroup", "UpdateGroup")
	set(iam, []string{"group", "creation"}, "CreateGroup")
	set(iam, []string{"group", "deletion"}, "DeleteGroup")
	set(iam, []string{"group", "info"}, "GetGroup", "GetGroupPolicy", "ListAttachedGroupPolicies",
		"ListGroupPolicies", "ListGroups")
	set(iam, []string{"user", "change"}, "AttachUserPolicy", "ChangePassword", "CreateAccessKey",
		"CreateVirtualMFADevice", "DeactivateMFADevice", "DeleteAccessKey", "DeleteSSHPublicKey",
		"DeleteUserPermissionsBoundary", "DeleteUserPolicy", "DeleteVirtualMFADevice", "DetachUserPolicy",
		"EnableMFADevice", "PutUserPermissionsBoundary", "PutUserPolicy", "TagUser", "UntagUser",
		"UpdateAccessKey", "UpdateLoginProfile", "UpdateSSHPublicKey", "UpdateUser")
	set(iam, []string{"user", "creation"}, "CreateUser")
	set(iam, []string{"user", "deletion"}, "DeleteUser")
	set(iam, []string{"user", "info"}, "GetUser", "GetUserPolicy", "ListAttachedUserPolicies",
		"ListGroupsForUser", "ListUserPolicies", "ListUsers", "ListUserTags")
	set(iam, []string{"admin", "creation"}, "CreateKeyPair")
	set(iam, []string{"admin", "change"}, "SetDefaultPolicyVersion", "SetSecurityTokenServicePreferences",
		"UpdateAccountPasswordPolicy", "UpdateRole")
}

func multiStrings(ss []string) event.Value {
	vs := make([]event.Value, len(ss))
	for i, s := range ss {
		vs[i] = event.StringValue(s)
	}
	if len(vs) == 1 {
		return vs[0]
	}
	return event.MultiValue(vs)
}

// cloudTrailEventCategory is event.category: null for an action the
// pipeline does not categorize.
func cloudTrailEventCategory(ev *event.Event) event.Value {
	name, _ := ev.Path([]string{"eventName"}).Str()
	c, ok := cloudTrailCategory[name]
	if !ok {
		return event.Value{}
	}
	return multiStrings(c.category)
}

// cloudTrailEventType is event.type: the action's types, or ["info"].
func cloudTrailEventType(ev *event.Event) event.Value {
	name, _ := ev.Path([]string{"eventName"}).Str()
	if c, ok := cloudTrailCategory[name]; ok {
		return multiStrings(c.types)
	}
	return event.StringValue("info")
}
