package lienthong.calls_test

import rego.v1

import data.lienthong.authz

decision_for(kind, agency, province, purpose, calls) := out if {
	out := authz.decide({
		"subject": {"agency": agency, "kind": kind, "province": province, "role": "x"},
		"purpose": purpose, "legal_basis_present": false, "operation": "query",
		"fields": [{"coordinate": "Query.searchPersons", "category": "BASIC", "kind": "reference"}],
		"calls": calls,
	})
}

call_of(key, args) := {"key": key, "coordinate": "Query.searchPersons", "arguments": args}

test_statistics_office_may_not_search_by_name if {
	d := decision_for("statistics", "cuc-thong-ke", null, "statistics", [call_of("a", {})])
	d.root_fields.a.effect == "withhold"
	contains(d.root_fields.a.reason, "by name")
}

test_province_scoped_search_must_name_its_province if {
	d := decision_for("justice_department", "stp-ha-noi", "001", "administrative_procedure", [
		call_of("everywhere", {}), call_of("elsewhere", {"provinceCode": "079"}), call_of("own", {"provinceCode": "001"}),
	])
	d.root_fields.everywhere.effect == "withhold"
	d.root_fields.elsewhere.effect == "withhold"
	not d.root_fields.own
}

test_national_agencies_search_anywhere if {
	d := decision_for("court", "tand-ha-noi", "001", "criminal_proceedings", [call_of("a", {})])
	d.root_fields == {}
}

test_no_calls_no_effects if {
	d := decision_for("court", "tand-ha-noi", "001", "criminal_proceedings", [])
	d.root_fields == {}
}
