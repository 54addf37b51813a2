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

test_province_scope_for_justice_department if {
	rr := rules("justice_department", "stp-ha-noi", "001", "civil_status_extract")
	r := rr.province_scope
	r.effect == "filter"
	r.when == {"attr": "registrationProvince", "op": "ne", "value": "001", "if_unknown": true}
}

test_no_province_scope_for_ministry if {
	others := rules("justice_ministry", "bo-tu-phap", null, "civil_status_extract")
	not others.province_scope
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
