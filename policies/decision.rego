# Entry point: data.lienthong.authz.decision, one evaluation per request for all requested fields.
# Input and output are documented in policies/README.md.
package lienthong.authz

import rego.v1

decision := decide(input)

decide(inp) := {"allow": false, "refusal": r, "fields": {}, "row_rules": [], "root_fields": {}} if {
	r := refusal(inp)
} else := {
	"allow": true,
	"refusal": null,
	"fields": effects,
	"row_rules": row_rules(inp, effects),
	"root_fields": root_field_effects(inp),
} if {
	effects := field_effects(inp)
}
