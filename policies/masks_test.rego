package lienthong.masks_test

import rego.v1

import data.lienthong.authz

stats(coordinate, category) := e if {
	effects := authz.field_effects({
		"subject": {"agency": "cuc-thong-ke", "kind": "statistics", "province": null, "role": "x"},
		"purpose": "statistics", "legal_basis_present": false, "operation": "query",
		"fields": [{"coordinate": coordinate, "category": category}],
	})
	e := effects[coordinate]
}

test_field_kinds if {
	authz.field_kind("Person.fullName") == "name"
	authz.field_kind("CivilStatusEvent.signerName") == "name"
	authz.field_kind("Person.motherMaidenName") == "name"
	authz.field_kind("Person.permanentAddress") == "address"
	authz.field_kind("Person.workAddress") == "address"
	authz.field_kind("Person.dateOfBirth") == "date"
	authz.field_kind("Sentence.judgmentDate") == "date"
	authz.field_kind("Person.personalId") == "identifier"
	authz.field_kind("Person.sex") == "other"
}

test_statistics_never_sees_names if {
	x1 := stats("Person.fullName", "BASIC")
	x1.effect == "withhold"
	x2 := stats("Person.otherNames", "BASIC")
	x2.effect == "withhold"
}

test_statistics_pseudonymises_identifiers if {
	e := stats("Person.personalId", "IDENTIFIER")
	e.effect == "mask"
	e.mask == "pseudonym"
}

test_statistics_identifier_category_without_kind_is_pseudonymised if {
	x3 := stats("Person.someCode", "IDENTIFIER")
	x3.mask == "pseudonym"
}

test_statistics_dates_to_year if {
	x4 := stats("Person.dateOfBirth", "BASIC")
	x4.mask == "year_only"
}

test_statistics_addresses_to_province if {
	x5 := stats("Person.permanentAddress", "BASIC")
	x5.mask == "province_only"
}

test_statistics_other_basic_fields_allowed if {
	x6 := stats("Person.sex", "BASIC")
	x6.effect == "allow"
}

test_other_purposes_do_not_mask_names if {
	effects := authz.field_effects({
		"subject": {"agency": "tand-ha-noi", "kind": "court", "province": "001", "role": "x"},
		"purpose": "criminal_proceedings", "legal_basis_present": true, "operation": "query",
		"fields": [{"coordinate": "Person.fullName", "category": "BASIC"}],
	})
	e := effects["Person.fullName"]
	e.effect == "allow"
}
