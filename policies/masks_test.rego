package lienthong.masks_test

import rego.v1

import data.lienthong.authz

effect_for(kind_of_agency, agency, purpose, coordinate, category, kind) := e if {
	effects := authz.field_effects({
		"subject": {"agency": agency, "kind": kind_of_agency, "province": null, "role": "x"},
		"purpose": purpose, "legal_basis_present": false, "operation": "query",
		"fields": [{"coordinate": coordinate, "category": category, "kind": kind}],
	})
	e := effects[coordinate]
}

stats(coordinate, category, kind) := e if {
	e := effect_for("statistics", "cuc-thong-ke", "statistics", coordinate, category, kind)
}

test_kind_is_the_declared_one if {
	authz.field_kind({"coordinate": "Person.fullName", "kind": "name"}) == "name"
	authz.field_kind({"coordinate": "Person.fullName"}) == "unknown"
	# a name-like field name means nothing: only the declaration counts
	authz.field_kind({"coordinate": "Person.motherMaidenName", "kind": "code"}) == "code"
}

test_statistics_never_sees_names if {
	x1 := stats("Person.fullName", "BASIC", "name")
	x1.effect == "withhold"
	x2 := stats("CivilStatusEvent.signerName", "PUBLIC", "name")
	x2.effect == "withhold"
}

test_statistics_never_sees_free_text if {
	x := stats("CivilStatusChange.newValue", "BASIC", "free_text")
	x.effect == "withhold"
}

test_statistics_withholds_undeclared_kinds if {
	x := stats("Person.somethingNew", "BASIC", "unknown")
	x.effect == "withhold"
	y := stats("SentenceStatistic.extra", "PUBLIC", "unknown")
	y.effect == "withhold"
}

test_statistics_pseudonymises_identifiers if {
	e := stats("Person.personalId", "IDENTIFIER", "identifier")
	e.effect == "mask"
	e.mask == "pseudonym"
	p := stats("LegalEntity.id", "PUBLIC", "identifier")
	p.mask == "pseudonym"
}

test_statistics_dates_to_year if {
	x4 := stats("Person.dateOfBirth", "BASIC", "date")
	x4.mask == "year_only"
}

test_statistics_addresses_to_province if {
	x5 := stats("Person.permanentAddress", "BASIC", "address")
	x5.mask == "province_only"
}

test_statistics_other_fields_allowed if {
	x6 := stats("Person.sex", "BASIC", "code")
	x6.effect == "allow"
	x7 := stats("SentenceStatistic.offenders", "PUBLIC", "count")
	x7.effect == "allow"
}

test_statistics_office_masks_whatever_it_declares if {
	# no purpose: only PUBLIC fields can be asked, and a PUBLIC name is still withheld
	x := effect_for("statistics", "cuc-thong-ke", null, "CivilStatusEvent.signerName", "PUBLIC", "name")
	x.effect == "withhold"
}

test_stricter_rules_are_not_relaxed_by_masks if {
	# CRIMINAL identifiers stay withheld for the statistics office (not merely pseudonymised)
	x := stats("Sentence.judgmentNumber", "CRIMINAL", "identifier")
	x.effect == "withhold"
}

test_other_purposes_do_not_mask_names if {
	e := effect_for("court", "tand-ha-noi", "criminal_proceedings", "Person.fullName", "BASIC", "name")
	e.effect == "allow"
}
