# Grants: CRIMINAL data under a competent authority's decision registered in the gateway (000 Art. 13.2-13.4;
# 004 Art. 17). The gateway resolves the grant the caller's X-Legal-Basis names and hands its facts as
# `input.grant` (policies/README.md): status (absent, not_named, unknown, unavailable, not_yet_valid, valid,
# expired, revoked), the grantee agency, the purpose, the scope (subjects, case, province) and the subjects.
#
# For an agency kind whose catalogue entry says `"criminal_data_grant": "required"` (data/agency_kinds.json):
# - the grant must be valid now, issued to the caller's agency, for the declared purpose, else every CRIMINAL
#   field is withheld with the reason naming what is missing (fields.rego);
# - some of these are a request the provider refuses outright (000 Art. 13.4: grounds to hold the request
#   unlawful): the problems listed in data/grants.json `refuse_on` (by default a revoked grant and a grant of
#   another agency). The whole request is then refused with REQUEST_REFUSED;
# - the persons the grant covers are a row rule: CRIMINAL fields of a row whose subject the grant does not
#   cover are withheld, on every path to the row (path invariance).
# An agency kind marked "free_text" keeps the declared free-text legal basis (000 Art. 13.1: the bodies that
# build and maintain the database exploit the data they manage).
package lienthong.authz

import rego.v1

# METADATA
# title: Agency kinds that need a registered grant for CRIMINAL data
# description: The catalogue option of data/agency_kinds.json; a kind without the option needs one (deny by default).
# custom:
#   article: "000 Art. 13.2, 13.3"
grant_required(inp) if {
	entry := object.get(data.agency_kinds, inp.subject.kind, {})
	object.get(entry, "criminal_data_grant", "required") != "free_text"
}

# METADATA
# title: The grant facts of the request
# description: input.grant as the gateway resolved it; absent facts count as a registry that could not be read.
# custom:
#   article: "000 Art. 13.3"
grant_facts(inp) := g if {
	g := inp.grant
	is_object(g)
} else := {"status": "unavailable", "reference": null}

# METADATA
# title: What is missing for a CRIMINAL release under a grant
# description: >-
#   The first problem of the named grant, as {"code", "reason"}; code "" when nothing is missing (or no grant
#   is required, or no legal basis at all was declared: fields.rego says so then).
# custom:
#   article: "000 Art. 13.2, 13.3, 13.4"
grant_check(inp) := {"code": "", "reason": ""} if {
	not grant_required(inp)
} else := {"code": "", "reason": ""} if {
	inp.legal_basis_present != true
} else := problem if {
	g := grant_facts(inp)
	problem := grant_problem(inp, g)
} else := {"code": "", "reason": ""}

# METADATA
# title: "What is wrong with the named grant"
# description: >-
#   What is wrong with the named grant
# custom:
#   article: "000 Art. 13.3, 13.4"
# METADATA
# title: The first problem of the named grant
# description: Not named, unknown, unreadable, revoked, expired, not yet valid, another agency, another purpose.
# custom:
#   article: "000 Art. 13.3, 13.4; 000 Art. 13.6.a"
grant_problem(inp, g) := {"code": "not_named", "reason": "000 Art. 13.3: X-Legal-Basis names no registered grant (GR-...): CRIMINAL data needs the competent authority's decision registered in the grants registry"} if {
	g.status == "not_named"
} else := {"code": "unknown", "reason": concat("", ["000 Art. 13.3: no such grant ", g.reference, " in the registry"])} if {
	g.status == "unknown"
} else := {"code": "unavailable", "reason": "000 Art. 13.3: the grants registry could not be read, so the grant is unknown and CRIMINAL data withheld"} if {
	g.status == "unavailable"
} else := {"code": "other_agency", "reason": concat("", ["000 Art. 13.4: grant ", g.id, " was not issued to agency ", shown(inp.subject.agency)])} if {
	# checked before the grant's own state: another agency learns nothing of it (not its grantee, nor why revoked)
	g.agency != inp.subject.agency
} else := {"code": "revoked", "reason": concat("", ["000 Art. 13.4: grant ", g.id, " was revoked at ", g.revoked_at, ": ", shown(g.revocation_reason)])} if {
	g.status == "revoked"
} else := {"code": "expired", "reason": concat("", ["000 Art. 13.3: grant ", g.id, " expired at ", g.valid_until])} if {
	g.status == "expired"
} else := {"code": "not_yet_valid", "reason": concat("", ["000 Art. 13.3: grant ", g.id, " is valid only from ", g.valid_from])} if {
	g.status == "not_yet_valid"
} else := {"code": "other_purpose", "reason": concat("", ["000 Art. 13.2, 13.6.a: grant ", g.id, " is for purpose ", g.purpose, ", not ", shown(inp.purpose)])} if {
	g.purpose != inp.purpose
} else := {"code": "unknown", "reason": "000 Art. 13.3: the grant facts are not those of a valid grant"} if {
	g.status != "valid"
}

# METADATA
# title: Categories a grant releases
# description: data/grants.json categories (CRIMINAL by default).
# custom:
#   article: "004 Art. 2.4.g; 000 Art. 13.2"
grant_categories := {c | some c in data.grants.categories}

# METADATA
# title: Refusal of an unlawful request (REQUEST_REFUSED)
# description: >-
#   A request for CRIMINAL data whose legal basis names a grant with a problem data/grants.json refuse_on lists
#   (by default revoked, other_agency): the provider refuses the request (000 Art. 13.4), it does not merely
#   withhold fields. Only for agency kinds that may receive CRIMINAL data at all.
# custom:
#   article: "000 Art. 13.4"
grant_refusal(inp) := reason if {
	inp.subject.kind in data.rules.criminal.agency_kinds
	check := grant_check(inp) # once: regopy does not memoise function calls
	check.code in data.grants.refuse_on
	grant_fields_requested(inp)
	reason := check.reason
}

# METADATA
# title: The request asks for data a grant releases
# description: Some requested field is of a category of data/grants.json categories.
# custom:
#   article: "000 Art. 13.2"
grant_fields_requested(inp) if {
	some f in inp.fields
	f.category in grant_categories
}

# METADATA
# title: Persons a valid grant covers (row rule)
# description: >-
#   With a valid grant of the caller's agency and purpose, the CRIMINAL fields the field rules released are
#   withheld on every row with a subject the grant does not cover: its listed persons (scope subjects, case) or
#   the persons residing in its province (scope province). An unknown subject or residence is not covered.
# custom:
#   article: "000 Art. 13.2, 13.3, 13.6.d"
grant_rules(inp, effects) := [{
	"id": "grant_coverage",
	"when": coverage_predicate(g),
	"effect": "withhold",
	"coordinates": coords,
	"reason": concat("", ["000 Art. 13.3, 13.6.d: grant ", g.id, " does not cover this person (", coverage_text(g), ")"]),
}] if {
	grant_required(inp)
	inp.legal_basis_present == true
	g := grant_facts(inp)
	g.status == "valid"
	check := grant_check(inp)
	check.code == ""
	coords := visible_of(inp, effects, grant_categories)
	count(coords) > 0
} else := []

# METADATA
# title: "Persons a grant covers, as a row predicate"
# description: >-
#   Persons a grant covers, as a row predicate
# custom:
#   article: "000 Art. 13.3"
# METADATA
# title: Who a grant covers, as a row predicate
# description: Residents of its province (scope province), else the persons it lists (subject key not in the list).
# custom:
#   article: "000 Art. 13.3, 13.6.d"
coverage_predicate(g) := {"attr": "residenceProvinceCode", "op": "ne", "value": g.province, "if_unknown": true} if {
	g.scope == "province"
} else := {"attr": "subject", "op": "not_in", "value": g.subjects, "if_unknown": true}

# METADATA
# title: "Persons a grant covers, in words"
# description: >-
#   Persons a grant covers, in words
# custom:
#   article: "000 Art. 13.3"
# METADATA
# title: Who a grant covers, in words
# description: For the reason of the coverage row rule.
# custom:
#   article: "000 Art. 13.3"
coverage_text(g) := concat("", ["persons residing in province ", g.province]) if {
	g.scope == "province"
} else := concat("", ["the persons of case ", shown(g.case_reference)]) if {
	g.scope == "case"
} else := "the persons it names"

# METADATA
# title: The grants registry's administrative API
# description: >-
#   The registry's own fields (data/grants.json administration), for the grant_registrar role only (the
#   gateway honours the role only for accounts agencies.json lists). Keeping the registry is no processing for
#   a purpose of the registrar's, so it needs no X-Purpose; the resolvers check the role again.
# custom:
#   article: "000 Art. 13.3, 13.7"
registry_read(subject, coordinate) if {
	subject.role in data.grants.administration.roles
	registry_coordinate(coordinate)
}

# METADATA
# title: "Grants registry coordinates"
# description: >-
#   The registry's root fields and types (data/grants.json administration).
# custom:
#   article: "000 Art. 13.3, 13.7"
# METADATA
# title: Coordinates of the grants registry API
# description: data/grants.json administration root fields and types.
# custom:
#   article: "000 Art. 13.3, 13.7"
registry_coordinate(coordinate) if coordinate in data.grants.administration.root_fields

# METADATA
# title: "Grants registry coordinates"
# description: >-
#   The registry's root fields and types (data/grants.json administration).
# custom:
#   article: "000 Art. 13.3, 13.7"
registry_coordinate(coordinate) if {
	type_name := split(coordinate, ".")[0]
	type_name in data.grants.administration.types
}

