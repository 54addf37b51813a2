# Root calls and their arguments as policy input: the gateway sends, for every root field the operation calls,
# its response key, coordinate and the arguments data/rules.json policy_arguments lists. A call refused here is
# withheld (null + FORBIDDEN_FIELD at its response key); the rest of the operation runs.
package lienthong.authz

import rego.v1

# METADATA
# title: Refused root calls
# description: >-
#   For every root call the operation makes, by response key, the calls refused by call_refusal: withheld (null
#   and FORBIDDEN_FIELD at the key); the rest of the operation runs.
# custom:
#   article: "004 Art. 3.4; 003 Art. 8.4"
root_field_effects(inp) := {call.key: withhold_effect(reason) |
	some call in object.get(inp, "calls", [])
	reason := call_refusal(inp, call)
}

# METADATA
# title: Refusal of a root call
# description: >-
#   The statistics office may not search persons by name (it sees them pseudonymised: a name search would
#   re-identify them); a province-scoped agency searches and lists its own province only, whatever the purpose
#   (a name search is not an extract of a given record, 003 Art. 13.1); a write is decided by writes.rego.
# custom:
#   article: "004 Art. 3.4; 003 Art. 8.4; 000 Art. 13.2"
#   branches: ["004 Art. 3.4; 000 Art. 13.2", "003 Art. 8.1, 8.4", "003 Art. 7.2; 000 Art. 11.6.a (writes.rego)"]
call_refusal(inp, call) := sprintf("004 Art. 3.4: the statistics office may not search persons by name (%s)", [call.coordinate]) if {
	statistics_office(inp)
	call.coordinate in data.rules.name_search_fields
} else := sprintf("003 Art. 8.4: %s searches its own province only: pass %s: \"%v\" to %s", [inp.subject.kind, argument, inp.subject.province, call.coordinate]) if {
	inp.subject.kind in data.rules.province_scoped_kinds
	argument := data.rules.province_scoped_calls[call.coordinate]
	object.get(call.arguments, argument, null) != inp.subject.province
} else := reason if {
	reason := write_refusal(inp, call) # writes.rego: mutations, deny by default
}
