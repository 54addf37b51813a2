package lienthong.rows_test

import rego.v1

import data.lienthong.authz

fields := [
	{"coordinate": "Person.fullName", "category": "BASIC"},
	{"coordinate": "Person.sentences", "category": "CRIMINAL"},
	{"coordinate": "Sentence.charges", "category": "CRIMINAL"},
	{"coordinate": "SentenceStatistic.count", "category": "PUBLIC"},
]

rules(kind, agency, province, purpose) := out if {
	d := authz.decide({
		"subject": {"agency": agency, "kind": kind, "province": province, "role": "x"},
		"purpose": purpose, "legal_basis_present": true, "operation": "query", "fields": fields,
	})
	out := {r.id: r | some r in d.row_rules}
}

test_minor_rule_for_sentence_enforcement if {
	rr := rules("criminal_enforcement", "c10-bca", null, "sentence_enforcement")
	r := rr.minor_criminal
	r.effect == "withhold"
	r.when.op == "age_under"
	r.when.value == 18
	r.coordinates == ["Person.sentences", "Sentence.charges"]
}

test_no_minor_rule_for_criminal_proceedings if {
	others := rules("court", "tand-ha-noi", "001", "criminal_proceedings")
	not others.minor_criminal
}

test_no_minor_rule_for_enforcement_supervision if {
	others := rules("procuracy", "vksndtc", null, "enforcement_supervision")
	not others.minor_criminal
}

test_province_scope_for_justice_department_reads_residence_too if {
	rr := rules("justice_department", "stp-ha-noi", "001", "civil_status_registration")
	r := rr.province_scope
	r.effect == "filter"
	r.when == {"all": [
		{"attr": "registrationProvince", "op": "ne", "value": "001", "if_unknown": true},
		{"attr": "residenceProvinceCode", "op": "ne", "value": "001", "if_unknown": true},
	]}
	contains(r.reason, "003 Art. 8.4")
}

test_province_scope_for_civil_registry_is_the_place_of_registration if {
	rr := rules("civil_registry", "ubnd-phuong-hoan-kiem", "001", "civil_status_registration")
	rr.province_scope.when == {"attr": "registrationProvince", "op": "ne", "value": "001", "if_unknown": true}
	contains(rr.province_scope.reason, "003 Art. 8.1")
}

test_extracts_whatever_the_place_of_registration if {
	every kind_agency in [
		["justice_department", "stp-ha-noi", "001"], ["civil_registry", "ubnd-phuong-hoan-kiem", "001"],
		["foreign_affairs", "cuc-lanh-su", null],
	] {
		rr := rules(kind_agency[0], kind_agency[1], kind_agency[2], "civil_status_extract")
		not rr.province_scope
		not rr.mission_scope
	}
	# a confirmation of civil status information (003 Art. 13.2) is not place-independent
	confirmation := rules("justice_department", "stp-ha-noi", "001", "civil_status_confirmation")
	confirmation.province_scope.effect == "filter"
}

test_foreign_affairs_sees_registrations_at_missions_only if {
	rr := rules("foreign_affairs", "cuc-lanh-su", null, "civil_status_registration")
	rr.mission_scope.when == {"attr": "registeredAtMission", "op": "ne", "value": true, "if_unknown": true}
	rr.mission_scope.effect == "filter"
	contains(rr.mission_scope.reason, "003 Art. 8.3")
	not rr.province_scope
	confirmation := rules("foreign_affairs", "cuc-lanh-su", null, "civil_status_confirmation")
	confirmation.mission_scope.effect == "filter"
}

test_national_bodies_have_no_area_scope if {
	every kind_agency in [["justice_ministry", "bo-tu-phap"], ["court", "tand-ha-noi"]] {
		rr := rules(kind_agency[0], kind_agency[1], "001", "civil_status_confirmation")
		not rr.province_scope
		not rr.mission_scope
	}
}

test_child_data_needs_consent_outside_art17 if {
	rr := rules("justice_department", "stp-ha-noi", "001", "administrative_procedure")
	r := rr.child_consent
	r.effect == "withhold"
	r.when == {"attr": "birthDate", "op": "age_under", "value": 16, "if_unknown": true}
	r.coordinates == ["Person.fullName"]
	contains(r.reason, "004 Art. 20.2")
	contains(r.reason, "from age 7")
	exempt := rules("civil_registry", "ubnd-phuong-hoan-kiem", "001", "civil_status_registration")
	not exempt.child_consent
	court := rules("court", "tand-ha-noi", "001", "criminal_proceedings")
	not court.child_consent
}

test_deceased_rule_only_for_non_exempt_purposes if {
	rr := rules("justice_department", "stp-ha-noi", "001", "administrative_procedure")
	r := rr.deceased_or_missing
	r.coordinates == ["Person.fullName"]
	others := rules("court", "tand-ha-noi", "001", "criminal_proceedings")
	not others.deceased_or_missing
}

test_restriction_rule_only_for_non_exempt_purposes if {
	rr := rules("justice_department", "stp-ha-noi", "001", "administrative_procedure")
	r := rr.processing_restricted
	r.when.attr == "restricted"
	others := rules("civil_registry", "ubnd-phuong-hoan-kiem", "001", "civil_status_registration")
	not others.processing_restricted
}

test_cell_suppression_for_statistics if {
	rr := rules("statistics", "cuc-thong-ke", null, "statistics")
	r := rr.cell_suppression
	r.effect == "filter"
	r.when.value == 5
	others := rules("court", "tand-ha-noi", "001", "criminal_proceedings")
	not others.cell_suppression
}

test_cell_suppression_for_the_statistics_office_whatever_its_purpose if {
	d := authz.decide({
		"subject": {"agency": "cuc-thong-ke", "kind": "statistics", "province": null, "role": "x"},
		"purpose": null, "legal_basis_present": false, "operation": "query",
		"fields": [{"coordinate": "SentenceStatistic.offenders", "category": "PUBLIC", "kind": "count"}],
	})
	d.allow
	ids := {r.id | some r in d.row_rules}
	ids == {"cell_suppression"}
	procedure := rules("justice_ministry", "bo-tu-phap", null, "administrative_procedure")
	procedure.cell_suppression.when.value == 5
}

test_no_cell_suppression_for_exempt_purposes if {
	rr := rules("procuracy", "vksndtc", null, "enforcement_supervision")
	not rr.cell_suppression
}

test_unknown_facts_are_restrictive if {
	rr := rules("justice_department", "stp-ha-noi", "001", "administrative_procedure")
	rr.processing_restricted.when.if_unknown == true
	every p in rr.deceased_or_missing.when.any {
		p.if_unknown == true
	}
	minors := rules("criminal_enforcement", "c10-bca", null, "sentence_enforcement")
	minors.minor_criminal.when.if_unknown == true
	minors.minor_criminal.when.attr == "birthDate"
}

test_provincial_enforcement_body_sees_the_sentences_of_its_province if {
	rr := rules("criminal_enforcement", "ca-ha-noi-thahs", "001", "sentence_enforcement")
	rr.management_scope.when == {"attr": "enforcementProvince", "op": "ne", "value": "001", "if_unknown": true}
	rr.management_scope.effect == "filter"
	contains(rr.management_scope.reason, "000 Art. 13.1")
	national := rules("criminal_enforcement", "c10-bca", null, "sentence_enforcement")
	not national.management_scope
	court := rules("court", "tand-ha-noi", "001", "sentence_enforcement")
	not court.management_scope
}
