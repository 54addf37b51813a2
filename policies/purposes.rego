# Purpose checks: who may declare which purpose, and when a purpose is required at all.
#
# 004 Art. 3.3: personal data is processed only for the purpose declared; 000 Art. 13.2 and 13.6.a: access to
# the criminal enforcement database must state its purpose; 003 Art. 8: who may exploit civil status data.
# The catalogue of purposes (agency kinds, legal basis) lives in data/purposes.json.
package lienthong.authz

import rego.v1

# METADATA
# title: Purposes catalogue by id
# description: >-
#   data/purposes.json by id: who may declare each purpose and its legal basis.
# custom:
#   article: "004 Art. 3.3; 000 Art. 13.6.a"
purposes := {p.id: p | some p in data.purposes}

# METADATA
# title: Agencies catalogue by id
# description: >-
#   data/agencies.json by id: the identified agencies and their kinds.
# custom:
#   article: "000 Art. 13.7; 003 Art. 17"
agencies := {a.id: a | some a in data.agencies}

# METADATA
# title: Purpose declared
# description: >-
#   A purpose counts as declared when it is a non-empty string.
# custom:
#   article: "004 Art. 3.3; 000 Art. 13.6.a"
declared(inp) if {
	is_string(inp.purpose)
	inp.purpose != ""
}

# METADATA
# title: Request touches personal data
# description: >-
#   Any requested field that is not PUBLIC (an unclassified field counts as personal data), apart from the
#   access log read by the data subject or the data-protection officer (transparency.rego) and the grants
#   registry kept by a grant registrar (grants.rego).
# custom:
#   article: "004 Art. 2.1, 3.3"
touches_personal(inp) if {
	some f in inp.fields
	f.category != "PUBLIC"
	not transparency_read(inp.subject, f.coordinate)
	not registry_read(inp.subject, f.coordinate)
}

# METADATA
# title: Refusal of the whole request
# description: >-
#   Defined only when the whole request must be refused: personal data without a declared purpose (004 Art. 3.3,
#   000 Art. 13.6.a), a purpose the caller's agency kind may not declare (003 Art. 8; 000 Art. 13-14).
# custom:
#   article: "004 Art. 3.3; 000 Art. 13.6.a; 003 Art. 8"
refusal(inp) := {"code": "PURPOSE_REQUIRED", "reasons": [
	"004 Art. 3.3, 000 Art. 13.6.a: personal data requested without a declared purpose (X-Purpose)",
]} if {
	touches_personal(inp)
	not declared(inp)
} else := {"code": "PURPOSE_NOT_PERMITTED", "reasons": reasons} if {
	declared(inp)
	reasons := sort([r | some r in not_permitted_reasons(inp)])
	count(reasons) > 0
} else := {"code": "REQUEST_REFUSED", "reasons": [reason]} if {
	# 000 Art. 13.4: a request the provider holds unlawful (grants.rego: a revoked grant, another agency's)
	reason := grant_refusal(inp)
}

# METADATA
# title: Why a declared purpose is not permitted
# description: >-
#   An unknown purpose or agency, an agency kind the purpose does not list, an agency of another kind than the
#   token says, an operation the gateway does not permit on personal data.
# custom:
#   article: "004 Art. 3.3; 000 Art. 13.1, 13.7; 003 Art. 8"
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
