package lienthong.purposes_test

import rego.v1

import data.lienthong.authz

court := {"agency": "tand-ha-noi", "kind": "court", "province": "001", "role": "judge"}

registry := {"agency": "ubnd-phuong-hoan-kiem", "kind": "civil_registry", "province": "001", "role": "officer"}

req(subject, purpose, fields) := {
	"subject": subject, "purpose": purpose, "legal_basis_present": true,
	"operation": "query", "fields": fields,
}

name_field := [{"coordinate": "Person.fullName", "category": "BASIC"}]

public_field := [{"coordinate": "SentenceStatistic.count", "category": "PUBLIC"}]

test_personal_data_without_purpose_is_refused if {
	rf := authz.refusal(req(court, null, name_field))
	rf.code == "PURPOSE_REQUIRED"
}

test_empty_purpose_counts_as_missing if {
	rf := authz.refusal(req(court, "", name_field))
	rf.code == "PURPOSE_REQUIRED"
}

test_unclassified_field_without_purpose_is_refused if {
	rf := authz.refusal(req(court, null, [{"coordinate": "X.y", "category": "UNCLASSIFIED"}]))
	rf.code == "PURPOSE_REQUIRED"
}

test_public_data_needs_no_purpose if {
	not authz.refusal(req(court, null, public_field))
}

test_purpose_not_allowed_for_kind if {
	r := authz.refusal(req(registry, "criminal_proceedings", name_field))
	r.code == "PURPOSE_NOT_PERMITTED"
	count(r.reasons) == 1
}

test_unknown_purpose_is_not_permitted if {
	rf := authz.refusal(req(court, "curiosity", name_field))
	rf.code == "PURPOSE_NOT_PERMITTED"
}

test_unknown_agency_is_not_permitted if {
	s := object.union(court, {"agency": "nobody"})
	rf := authz.refusal(req(s, "criminal_proceedings", name_field))
	rf.code == "PURPOSE_NOT_PERMITTED"
}

test_kind_must_match_catalogue if {
	s := object.union(court, {"kind": "procuracy"})
	rf := authz.refusal(req(s, "enforcement_supervision", name_field))
	rf.code == "PURPOSE_NOT_PERMITTED"
}

test_subscription_on_personal_data_is_not_permitted if {
	r := object.union(req(court, "criminal_proceedings", name_field), {"operation": "subscription"})
	rf := authz.refusal(r)
	rf.code == "PURPOSE_NOT_PERMITTED"
}

# mutations are not refused wholesale: writes.rego decides each write call
test_mutation_is_decided_by_the_write_policy if {
	r := object.union(req(court, "criminal_proceedings", name_field), {"operation": "mutation"})
	not authz.refusal(r)
}

test_court_may_declare_criminal_proceedings if {
	not authz.refusal(req(court, "criminal_proceedings", name_field))
}

test_registry_may_declare_civil_status_registration if {
	not authz.refusal(req(registry, "civil_status_registration", name_field))
}

# Every purpose of the brief is in the catalogue with its legal basis.
test_catalogue_has_every_purpose if {
	every p in ["criminal_proceedings", "enforcement_supervision", "sentence_enforcement", "crime_prevention",
		"civil_status_registration", "civil_status_extract", "marital_status_confirmation",
		"administrative_procedure", "statistics"] {
		authz.purposes[p].legal_basis != ""
		count(authz.purposes[p].agency_kinds) > 0
	}
}

# 003 Art. 13.2: a confirmation of civil status information is issued by the bodies of Art. 8.2-8.4 (the
# Ministry, the foreign affairs body, justice departments), not by the civil registries of 8.1.
test_civil_status_confirmation_by_the_bodies_of_art_8_2_to_8_4 if {
	every s in [
		{"agency": "stp-ha-noi", "kind": "justice_department", "province": "001", "role": "clerk"},
		{"agency": "bo-tu-phap", "kind": "justice_ministry", "province": null, "role": "clerk"},
		{"agency": "cuc-lanh-su", "kind": "foreign_affairs", "province": null, "role": "clerk"},
	] {
		not authz.refusal(req(s, "civil_status_confirmation", name_field))
	}
	r := authz.refusal(req(registry, "civil_status_confirmation", name_field))
	r.code == "PURPOSE_NOT_PERMITTED"
	contains(concat(" ", r.reasons), "13.2")
}
