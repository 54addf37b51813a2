package lienthong.decision_test

import rego.v1

import data.lienthong.authz

base := {
	"subject": {"agency": "tand-ha-noi", "kind": "court", "province": "001", "role": "judge"},
	"purpose": "criminal_proceedings", "legal_basis_present": true, "operation": "query",
	"fields": [
		{"coordinate": "Query.person", "category": "IDENTIFIER"},
		{"coordinate": "Person.fullName", "category": "BASIC"},
		{"coordinate": "Person.religion", "category": "RELIGION"},
	],
}

test_allowed_decision_covers_every_field if {
	d := authz.decide(base)
	d.allow
	d.refusal == null
	count(d.fields) == 3
	d.fields["Person.religion"].effect == "withhold"
}

test_refused_decision_has_no_fields if {
	d := authz.decide(object.union(base, {"purpose": null}))
	not d.allow
	d.refusal.code == "PURPOSE_REQUIRED"
	d.fields == {}
}

test_every_effect_has_a_reason if {
	d := authz.decide(base)
	every _, e in d.fields {
		e.reason != ""
		e.effect in {"allow", "mask", "withhold"}
	}
}
