# Entry point: data.lienthong.authz.decision, one evaluation per request for all requested fields.
# Input and output are documented in policies/README.md.
package lienthong.authz

import rego.v1

# METADATA
# title: Entry point
# description: >-
#   data.lienthong.authz.decision: one evaluation per request for all requested fields (input and output in
#   policies/README.md).
# custom:
#   article: "004 Art. 3.3, 3.4; 000 Art. 13.2, 13.6"
decision := decide(input)

# METADATA
# title: Decision of a request
# description: >-
#   A data subject's own request (subjects.rego), else a refusal of the whole request, else the field effects,
#   row rules and refused root calls.
# custom:
#   article: "004 Art. 3.3, 3.4, 9; 000 Art. 13.2, 13.6"
decide(inp) := d if {
	self_service(inp)
	d := subject_decide(inp)
} else := {"allow": false, "refusal": r, "fields": {}, "row_rules": [], "root_fields": {}} if {
	r := refusal(inp)
} else := {
	"allow": true,
	"refusal": null,
	"fields": effects,
	"row_rules": array.concat(array.concat(row_rules(inp, effects), consent_rules(inp, effects)), grant_rules(inp, effects)),
	"root_fields": root_field_effects(inp),
} if {
	effects := field_effects(inp)
}
