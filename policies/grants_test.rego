package lienthong.grants_test

import rego.v1

import data.lienthong.authz

court := {"agency": "tand-ha-noi", "kind": "court", "province": "001", "role": "agency"}

criminal := [
	{"coordinate": "Person.fullName", "category": "BASIC", "kind": "name"},
	{"coordinate": "Person.sentences", "category": "CRIMINAL", "kind": "reference"},
	{"coordinate": "Sentence.charges", "category": "CRIMINAL", "kind": "reference"},
]

grant(overrides) := object.union({
	"status": "valid", "reference": "GR-0000000001", "id": "GR-0000000001", "agency": "tand-ha-noi",
	"purpose": "criminal_proceedings", "scope": "case", "subjects": ["001099000001", "001099000002"],
	"case_reference": "12/2026/HSST", "province": null, "valid_from": "2026-01-01T00:00:00.000000Z",
	"valid_until": "2026-12-31T23:59:59.999999Z", "revoked_at": null, "revocation_reason": null,
}, overrides)

request(subject, purpose, g) := {
	"subject": subject, "purpose": purpose, "legal_basis_present": true, "operation": "query",
	"fields": criminal, "grant": g,
}

decision(subject, purpose, g) := d if {
	d := authz.decide(request(subject, purpose, g))
}

rules_by_id(d) := {r.id: r | some r in d.row_rules}

test_valid_grant_releases_criminal_and_covers_its_persons if {
	d := decision(court, "criminal_proceedings", grant({}))
	d.allow
	d.fields["Person.sentences"].effect == "allow"
	rr := rules_by_id(d)
	r := rr.grant_coverage
	r.effect == "withhold"
	r.when == {"attr": "subject", "op": "not_in", "value": ["001099000001", "001099000002"], "if_unknown": true}
	r.coordinates == ["Person.sentences", "Sentence.charges"]
	contains(r.reason, "12/2026/HSST")
}

test_province_grant_covers_residents_of_the_province if {
	d := decision(court, "criminal_proceedings", grant({"scope": "province", "subjects": [], "province": "001"}))
	rr := rules_by_id(d)
	rr.grant_coverage.when == {"attr": "residenceProvinceCode", "op": "ne", "value": "001", "if_unknown": true}
}

test_expired_grant_withholds_criminal_with_its_reason if {
	d := decision(court, "criminal_proceedings", grant({"status": "expired"}))
	d.allow
	e := d.fields["Person.sentences"]
	e.effect == "withhold"
	contains(e.reason, "expired at 2026-12-31")
	d.fields["Person.fullName"].effect != "withhold"
	not rules_by_id(d).grant_coverage
}

test_unknown_and_free_text_and_unreadable_withhold if {
	unknown := decision(court, "criminal_proceedings", {"status": "unknown", "reference": "GR-ZZZZZZZZZZ"})
	contains(unknown.fields["Person.sentences"].reason, "no such grant GR-ZZZZZZZZZZ")
	free := decision(court, "criminal_proceedings", {"status": "not_named", "reference": null})
	contains(free.fields["Person.sentences"].reason, "names no registered grant")
	down := decision(court, "criminal_proceedings", {"status": "unavailable", "reference": "GR-0000000001"})
	contains(down.fields["Person.sentences"].reason, "could not be read")
	not_yet := decision(court, "criminal_proceedings", grant({"status": "not_yet_valid"}))
	contains(not_yet.fields["Person.sentences"].reason, "valid only from")
}

test_missing_grant_facts_withhold if {
	d := authz.decide({"subject": court, "purpose": "criminal_proceedings", "legal_basis_present": true,
		"operation": "query", "fields": criminal})
	d.fields["Person.sentences"].effect == "withhold"
}

test_other_purpose_withholds if {
	d := decision({"agency": "vksnd-ha-noi", "kind": "procuracy", "province": "001", "role": "agency"},
		"enforcement_supervision", grant({"agency": "vksnd-ha-noi"}))
	d.allow
	contains(d.fields["Person.sentences"].reason, "is for purpose criminal_proceedings, not enforcement_supervision")
}

test_revoked_grant_refuses_the_request if {
	d := decision(court, "criminal_proceedings", grant({"status": "revoked", "revoked_at": "2026-03-01T00:00:00.000000Z", "revocation_reason": "case closed"}))
	not d.allow
	d.refusal.code == "REQUEST_REFUSED"
	contains(d.refusal.reasons[0], "000 Art. 13.4")
	contains(d.refusal.reasons[0], "case closed")
}

test_another_agencys_grant_refuses_the_request if {
	d := decision(court, "criminal_proceedings", grant({"agency": "tandtc"}))
	d.refusal.code == "REQUEST_REFUSED"
	contains(d.refusal.reasons[0], "was not issued to agency tand-ha-noi")
}

test_no_refusal_without_criminal_fields if {
	d := authz.decide({"subject": court, "purpose": "criminal_proceedings", "legal_basis_present": true,
		"operation": "query", "fields": [{"coordinate": "Person.fullName", "category": "BASIC", "kind": "name"}],
		"grant": grant({"agency": "tandtc"})})
	d.allow
}

test_free_text_kinds_keep_the_declared_legal_basis if {
	enforcement := {"agency": "c10-bca", "kind": "criminal_enforcement", "province": null, "role": "agency"}
	d := decision(enforcement, "sentence_enforcement", {"status": "not_named", "reference": null})
	d.allow
	d.fields["Person.sentences"].effect == "allow"
	not rules_by_id(d).grant_coverage
}

test_catalogue_says_which_kinds_need_a_grant if {
	data.agency_kinds.court.criminal_data_grant == "required"
	data.agency_kinds.criminal_enforcement.criminal_data_grant == "free_text"
	authz.grant_required({"subject": {"kind": "a_kind_the_catalogue_does_not_know"}})
}

test_registry_api_for_registrars_only_and_without_purpose if {
	fields := [{"coordinate": "Mutation.createGrant", "category": "IDENTIFIER", "kind": "reference"},
		{"coordinate": "Grant.subjects", "category": "IDENTIFIER", "kind": "identifier"}]
	registrar := {"agency": "c10-bca", "kind": "criminal_enforcement", "province": null, "role": "grant_registrar"}
	ok := authz.decide({"subject": registrar, "purpose": null, "legal_basis_present": false,
		"operation": "mutation", "fields": fields, "calls": [{"key": "createGrant", "coordinate": "Mutation.createGrant",
			"arguments": {}, "write": {"area": null, "area_declared": false}}]})
	ok.allow
	ok.fields["Grant.subjects"].effect == "allow"
	count(ok.root_fields) == 0
	officer := object.union(registrar, {"role": "agency"})
	refused := authz.decide({"subject": officer, "purpose": null, "legal_basis_present": false,
		"operation": "mutation", "fields": fields, "calls": []})
	refused.refusal.code == "PURPOSE_REQUIRED"
}

test_another_agency_learns_nothing_of_a_revoked_grant if {
	d := decision(court, "criminal_proceedings", grant({"agency": "tandtc", "status": "revoked", "revoked_at": "2026-03-01T00:00:00.000000Z", "revocation_reason": "witness protection"}))
	d.refusal.code == "REQUEST_REFUSED"
	not contains(d.refusal.reasons[0], "witness protection")
	not contains(d.refusal.reasons[0], "tandtc")
}
