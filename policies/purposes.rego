# Purpose checks: who may declare which purpose, and when a purpose is required at all.
#
# 004 Art. 3.3: personal data is processed only for the purpose declared; 000 Art. 13.2 and 13.6.a: access to
# the criminal enforcement database must state its purpose; 003 Art. 8: who may exploit civil status data.
# The catalogue of purposes (agency kinds, legal basis) lives in data/purposes.json.
package lienthong.authz

import rego.v1

purposes := {p.id: p | some p in data.purposes}

agencies := {a.id: a | some a in data.agencies}

# A purpose counts as declared when it is a non-empty string.
declared(inp) if {
	is_string(inp.purpose)
	inp.purpose != ""
}

# Any requested field that is not PUBLIC (an unclassified field counts as personal data), apart from the
# access log read by the data subject or the data-protection officer (transparency.rego).
touches_personal(inp) if {
	some f in inp.fields
	f.category != "PUBLIC"
	not transparency_read(inp.subject, f.coordinate)
}

# refusal(inp) is defined only when the whole request must be refused.
# 004 Art. 3.3: personal data without a declared purpose is refused.
refusal(inp) := {"code": "PURPOSE_REQUIRED", "reasons": [
	"004 Art. 3.3, 000 Art. 13.6.a: personal data requested without a declared purpose (X-Purpose)",
]} if {
	touches_personal(inp)
	not declared(inp)
} else := {"code": "PURPOSE_NOT_PERMITTED", "reasons": reasons} if {
	declared(inp)
	reasons := sort([r | some r in not_permitted_reasons(inp)])
	count(reasons) > 0
}

not_permitted_reasons(inp) := {r |
	not purposes[inp.purpose]
	r := sprintf("unknown purpose %s (catalogue: policies/data/purposes.json)", [inp.purpose])
} | {r |
	p := purposes[inp.purpose]
	not inp.subject.kind in p.agency_kinds
	r := sprintf("%s: agency kind %s may not declare purpose %s", [p.legal_basis, inp.subject.kind, inp.purpose])
} | {r |
	not agencies[inp.subject.agency]
	r := sprintf("unknown agency %s (catalogue: policies/data/agencies.json)", [inp.subject.agency])
} | {r |
	a := agencies[inp.subject.agency]
	a.kind != inp.subject.kind
	r := sprintf("agency %s is of kind %s, not %s", [inp.subject.agency, a.kind, inp.subject.kind])
} | {r |
	touches_personal(inp)
	not inp.operation in data.rules.read_operations
	not write_operation(inp) # mutations: decided call by call by writes.rego
	r := sprintf("004 Art. 3.4: operation %s on personal data is not permitted through the gateway", [inp.operation])
}
