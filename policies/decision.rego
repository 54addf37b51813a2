# Entry point: data.lienthong.authz.decision, one evaluation per request for all requested fields.
# Input and output are documented in policies/README.md.
package lienthong.authz

import rego.v1

decision := decide(input)

# A data subject reading their own record or using their rights: subjects.rego (004 Art. 9).
decide(inp) := d if {
	self_service(inp)
	d := subject_decide(inp)
} else := {"allow": false, "refusal": r, "fields": {}, "row_rules": [], "root_fields": {}} if {
	r := refusal(inp)
} else := {
	"allow": true,
	"refusal": null,
	"fields": effects,
	"row_rules": array.concat(row_rules(inp, effects), consent_rules(inp, effects)),
	"root_fields": root_field_effects(inp),
} if {
	effects := field_effects(inp)
}
