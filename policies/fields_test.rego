package lienthong.fields_test

import rego.v1

import data.lienthong.authz

subject(kind, agency) := {"agency": agency, "kind": kind, "province": "001", "role": "x"}

effect(kind, agency, purpose, legal, coordinate, category) := e if {
	effects := authz.field_effects({
		"subject": subject(kind, agency), "purpose": purpose, "legal_basis_present": legal,
		"operation": "query", "fields": [{"coordinate": coordinate, "category": category}],
	})
	e := effects[coordinate]
}

# A valid grant of the registry for agency and purpose (grants.rego; the gateway resolves it from X-Legal-Basis).
granted_effect(kind, agency, purpose, coordinate, category) := e if {
	effects := authz.field_effects({
		"subject": subject(kind, agency), "purpose": purpose, "legal_basis_present": true,
		"operation": "query", "fields": [{"coordinate": coordinate, "category": category}],
		"grant": {"status": "valid", "reference": "GR-0000000001", "id": "GR-0000000001", "agency": agency,
		          "purpose": purpose, "scope": "subjects", "subjects": ["001099000001"]},
	})
	e := effects[coordinate]
}

test_criminal_allowed_to_court_with_legal_basis if {
	x := granted_effect("court", "tand-ha-noi", "criminal_proceedings", "Person.sentences", "CRIMINAL")
	x.effect == "allow"
	y := effect("court", "tand-ha-noi", "criminal_proceedings", true, "Person.sentences", "CRIMINAL")
	y.effect == "withhold" # a free-text legal basis no longer releases CRIMINAL data to a court (000 Art. 13.3)
}

test_criminal_withheld_without_legal_basis if {
	e := effect("court", "tand-ha-noi", "criminal_proceedings", false, "Person.sentences", "CRIMINAL")
	e.effect == "withhold"
	contains(e.reason, "legal basis")
}

test_criminal_withheld_without_legal_basis_for_crime_prevention if {
	x := effect("crime_prevention", "c02-bca", "crime_prevention", false, "Person.sentences", "CRIMINAL")
	x.effect == "withhold"
	y := granted_effect("crime_prevention", "c02-bca", "crime_prevention", "Person.sentences", "CRIMINAL")
	y.effect == "allow"
}

test_criminal_withheld_from_justice_department if {
	e := effect("justice_department", "stp-ha-noi", "administrative_procedure", true, "Person.sentences", "CRIMINAL")
	e.effect == "withhold"
	contains(e.reason, "004 Art. 2.4.g")
}

test_religion_withheld_unless_needed if {
	x := effect("court", "tand-ha-noi", "criminal_proceedings", true, "Person.religion", "RELIGION")
	x.effect == "withhold"
}

test_health_allowed_when_purpose_needs_it if {
	x := effect("court", "tand-ha-noi", "criminal_proceedings", true, "Sentence.healthCondition", "HEALTH")
	x.effect == "allow"
}

test_health_needs_legal_basis_when_purpose_requires_one if {
	x := effect("court", "tand-ha-noi", "criminal_proceedings", false, "Sentence.healthCondition", "HEALTH")
	x.effect == "withhold"
}

test_health_withheld_for_civil_status if {
	x := effect("civil_registry", "ubnd-phuong-hoan-kiem", "civil_status_registration", false, "Person.health", "HEALTH")
	x.effect == "withhold"
}

test_unclassified_is_most_restricted if {
	e := effect("court", "tand-ha-noi", "criminal_proceedings", true, "Person.secret", "UNCLASSIFIED")
	e.effect == "withhold"
	contains(e.reason, "unclassified")
}

test_purpose_limitation_family_for_marital_status_ok if {
	x := effect("civil_registry", "ubnd-phuong-hoan-kiem", "marital_status_confirmation", false, "Person.spouse", "FAMILY")
	x.effect == "allow"
}

test_purpose_limitation_ethnicity_not_needed_for_marital_status if {
	x := effect("civil_registry", "ubnd-phuong-hoan-kiem", "marital_status_confirmation", false, "Person.ethnicity", "ETHNIC_ORIGIN")
	x.effect == "withhold"
}

test_basic_allowed_for_civil_status if {
	e := effect("civil_registry", "ubnd-phuong-hoan-kiem", "civil_status_registration", false, "Person.fullName", "BASIC")
	e.effect == "allow"
	contains(e.reason, "003 Art. 8")
}

# 004 Art. 2.4: every sensitive kind has its category; one no purpose lists is withheld as needing an explicit
# need (not as unclassified, not as merely unneeded).
test_every_new_sensitive_category_needs_an_explicit_need if {
	every c in ["POLITICAL_OPINION", "RELIGION", "HEALTH", "GENETIC", "BIOMETRIC", "SEX_LIFE", "FINANCIAL", "LOCATION", "OTHER_SENSITIVE"] {
		e := effect("civil_registry", "ubnd-phuong-hoan-kiem", "civil_status_registration", true, "Person.x", c)
		e.effect == "withhold"
		contains(e.reason, "explicitly needs it")
	}
}

# 004 Art. 2.3.e, 2.3.k: basic categories no purpose lists yet are withheld as not needed (004 Art. 3.4).
test_new_basic_categories_are_withheld_until_a_purpose_lists_them if {
	every c in ["IMAGE", "DIGITAL_ACTIVITY"] {
		e := effect("court", "tand-ha-noi", "criminal_proceedings", true, "Person.x", c)
		e.effect == "withhold"
		contains(e.reason, "is not needed for purpose")
	}
}
