# Root calls and their arguments as policy input: the gateway sends, for every root field the operation calls,
# its response key, coordinate and the arguments data/rules.json policy_arguments lists. A call refused here is
# withheld (null + FORBIDDEN_FIELD at its response key); the rest of the operation runs.
package lienthong.authz

import rego.v1

# {response key: effect} for the refused calls.
root_field_effects(inp) := {call.key: withhold_effect(reason) |
	some call in object.get(inp, "calls", [])
	reason := call_refusal(inp, call)
}

# 004 Art. 3.4 (minimisation), 000 Art. 13.2: the statistics office works on aggregates; a search by name
# would re-identify the persons it only sees pseudonymised.
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
