# Data subjects: their own record (004 Art. 9.3, 14.1), their rights requests (004 Art. 9.4-9.8, 14-16) and the
# consent a purpose that is not exempt under 004 Art. 17 needs (004 Art. 9.2, 11, 12).
#
# A data subject (token role data_subject, sub = their personalId) declares no purpose: they read their own data.
# They get the fields a civil_status_extract request releases (the extract is what the civil status registry
# issues to the person, 003 Art. 8, 13.1), only on rows of which they are a subject: a row about others only (a
# spouse's or a parent's Person row, someone else's event or sentence) is filtered on every path (path
# invariance: the rule is over the row's declared subjects, never over the path that reached it).
package lienthong.authz

import rego.v1

# METADATA
# title: "The release a data subject's own reads follow"
# description: >-
#   004 Art. 9.3, 14.1 (the subject may see their own data); as much as a civil status extract gives them (003
#   Art. 8.1-8.4, 13.1). CRIMINAL, RELIGION and HEALTH stay withheld as for the extract.
# custom:
#   article: "004 Art. 9.3, 14.1; 003 Art. 8.1-8.4, 13.1"
subject_release_purpose := "civil_status_extract"

# The data subject rights service (gateway/subjects: requests, consents) is read and called by the data subject
# and the data-protection officer without a purpose, like the access log: its coordinates are listed with the
# access log's in data/rules.json "transparency" (transparency.rego); its resolvers check who may do what.

# METADATA
# title: "The caller is a data subject"
# description: >-
#   004 Art. 9. A data-protection officer is not (role dpo); an agency officer is not.
# custom:
#   article: "004 Art. 9"
self_service(inp) if inp.subject.role == "data_subject"

# METADATA
# title: "The data subject's personal id"
# description: >-
#   The personal identification number of the data subject's token, or empty when it is not one.
# custom:
#   article: "004 Art. 9"
self_personal_id(inp) := inp.subject.personal_id if {
	is_string(inp.subject.personal_id)
	regex.match(`^[0-9]{12}$`, inp.subject.personal_id)
} else := ""

# METADATA
# title: "Decision for a data subject"
# description: >-
#   The decision for a data subject (decision.rego dispatches here).
# custom:
#   article: "004 Art. 9.3, 14.1"
subject_decide(inp) := {"allow": false, "refusal": r, "fields": {}, "row_rules": [], "root_fields": {}} if {
	r := subject_refusal(inp)
} else := {
	"allow": true,
	"refusal": null,
	"fields": effects,
	"row_rules": subject_row_rules(inp, effects),
	"root_fields": subject_root_fields(inp),
} if {
	effects := subject_field_effects(inp)
}

# METADATA
# title: "What a data subject may not ask"
# description: >-
#   004 Art. 9.3, 14.1 - a data subject reads their own data under their own right, with no purpose; 004 Art.
#   3.4 - they change nothing through the gateway but by the rights mutations.
# custom:
#   article: "004 Art. 9.3, 14.1; 004 Art. 3.4"
subject_refusal(inp) := {"code": "PURPOSE_NOT_PERMITTED", "reasons": [
	"004 Art. 9: a data subject's token must carry their personalId (12 digits) as sub",
]} if {
	self_personal_id(inp) == ""
} else := {"code": "PURPOSE_NOT_PERMITTED", "reasons": [
	concat("", ["004 Art. 9.3, 14.1: a data subject reads their own data and declares no purpose (X-Purpose: ", shown(inp.purpose), ")"]),
]} if {
	declared(inp)
} else := {"code": "PURPOSE_NOT_PERMITTED", "reasons": [
	concat("", ["004 Art. 3.4: a data subject changes data only through the rights mutations (operation ", shown(inp.operation), " on ", concat(", ", writes), ")"]),
]} if {
	not inp.operation in data.rules.read_operations
	writes := sort([f.coordinate |
		some f in inp.fields
		f.category != "PUBLIC"
		not transparency_read(inp.subject, f.coordinate)
	])
	count(writes) > 0
}

# METADATA
# title: "A data subject's own fields: what a civil status extract releases"
# description: >-
#   004 Art. 9.3, 14.1; 003 Art. 8, 13.1. The access log and the rights service are allowed (transparency);
#   every other field gets the effect it has for purpose civil_status_extract.
# custom:
#   article: "004 Art. 9.3, 14.1; 003 Art. 8, 13.1"
subject_field_effects(inp) := {f.coordinate: subject_field_effect(ctx, f) | some f in inp.fields} if {
	ctx := context(object.union(inp, {"purpose": subject_release_purpose}))
}

# METADATA
# title: "Effect of one field for a data subject"
# description: >-
#   Effect of one field for a data subject
# custom:
#   article: "004 Art. 9.3, 14.1; 003 Art. 13.1"
subject_field_effect(ctx, f) := e if {
	transparency_read(ctx.subject, f.coordinate)
	e := allow_effect("004 Art. 9, 14-16: the data subject's rights service and access log")
} else := e if {
	base := field_effect(ctx, f)
	e := object.union(base, {"reason": concat("", ["004 Art. 9.3, 14.1 (own data, as a ", subject_release_purpose, " releases it): ", base.reason])})
}

# METADATA
# title: "The data subject's relatives as the gateway found them"
# description: >-
#   003 Art. 13 (an extract of one's own civil status record shows one's parents, spouse, children): the
#   personal ids of the data subject's parents, spouse and children, when the gateway hands them as
#   input.subject.relatives (a list of 12-digit ids); none otherwise. The subject themself is never a relative.
# custom:
#   article: "003 Art. 13; 004 Art. 9.3"
self_relatives(inp) := sort([r |
	some r in inp.subject.relatives
	is_string(r)
	regex.match(`^[0-9]{12}$`, r)
	r != self_personal_id(inp)
]) if {
	is_array(inp.subject.relatives)
} else := []

# METADATA
# title: "What an extract shows of a relative"
# description: >-
#   003 Art. 13; the extract of a birth shows each parent's full name, year of birth, ethnicity, nationality and
#   residence, that of a marriage each spouse's full name, date of birth, ethnicity, nationality and residence:
#   the Person fields a data subject gets on their relatives' rows (with the key that names the row).
# custom:
#   article: "003 Art. 13"
relative_extract_fields := {
	"Person.personalId", "Person.fullName", "Person.dateOfBirth", "Person.ethnicity", "Person.nationality",
	"Person.permanentAddress", "Person.currentAddress",
}

# METADATA
# title: "A data subject sees rows about themself only, and relatives as their extract shows them"
# description: >-
#   004 Art. 9.3, 14.1 - own data; 004 Art. 10.2 - respect others' data. A row none of whose declared subjects
#   is the caller (a spouse's or a parent's Person row, another person's event or sentence, a row whose subjects
#   cannot be read) is filtered, on every path. subjects all - the rule hits when every subject of the row is
#   someone else (an unreadable subject counts as someone else: if_unknown true). report silent - the filtered
#   row answers exactly as a key that does not exist (no error, no extensions.policy entry): an error would
#   tell the subject that another person's id, registration number or sentence exists (004 Art. 10.2). With
#   the subject's relatives known (self_relatives), their rows are kept with what an extract shows of them
#   (003 Art. 13): every other field of a row about relatives only is withheld (data_subject_relative).
# custom:
#   article: "004 Art. 9.3, 14.1; 004 Art. 10.2; 003 Art. 13"
subject_row_rules(inp, effects) := array.concat(array.concat([{
	"id": "data_subject_self",
	"when": self_predicate(inp),
	"subjects": "all",
	"effect": "filter",
	"report": "silent",
	"coordinates": [],
	"reason": "004 Art. 9.3, 14.1, 10.2: a data subject sees rows about themself only; this row is about another person",
}], array.concat(relative_rules(inp, effects), relative_row_rules(inp))), suppression_rules(inp)) # small statistics cells re-identify people whoever reads them (004 Art. 3.4)

# METADATA
# title: "Rows a data subject keeps"
# description: >-
#   The predicate of data_subject_self: a row about someone else than the subject (and than their relatives,
#   when the gateway named them).
# custom:
#   article: "004 Art. 9.3, 10.2; 003 Art. 13"
self_predicate(inp) := {"attr": "subject", "op": "ne", "value": self_personal_id(inp), "if_unknown": true} if {
	count(self_relatives(inp)) == 0
} else := {"attr": "subject", "op": "not_in", "value": array.concat([self_personal_id(inp)], self_relatives(inp)), "if_unknown": true}

# METADATA
# title: "A relative's row shows what the subject's extract shows of them"
# description: >-
#   003 Art. 13; 004 Art. 10.2. On a row about the subject's relatives only (every subject is not the subject;
#   the others were filtered), every visible field but relative_extract_fields is withheld: a parent's own
#   events, sentences, other names or addresses are the parent's data, not part of the subject's record.
# custom:
#   article: "003 Art. 13; 004 Art. 10.2"
relative_rules(inp, effects) := [{
	"id": "data_subject_relative",
	"when": {"attr": "subject", "op": "ne", "value": self_personal_id(inp), "if_unknown": true},
	"subjects": "all",
	"effect": "withhold",
	"coordinates": coords,
	"reason": "003 Art. 13, 004 Art. 10.2: of a relative, a data subject sees what the extract of their own civil status record shows (name, date of birth, ethnicity, nationality, residence)",
}] if {
	count(self_relatives(inp)) > 0
	coords := [c |
		some c in visible_of(inp, effects, personal_categories)
		not c in relative_extract_fields
		not split(c, ".")[0] in {"Query", "Mutation"} # root fields are no row about anyone
	]
	count(coords) > 0
} else := []

# METADATA
# title: "A relative's other rows are not the subject's record"
# description: >-
#   003 Art. 13; 004 Art. 10.2. The extract shows a relative as a person of the record (their Person row); a row
#   of any other type about relatives only (a parent's own marriage, a spouse's sentence) is filtered silently,
#   as a key that matches nothing: withheld fields with errors would tell the subject that it exists.
# custom:
#   article: "003 Art. 13; 004 Art. 10.2"
relative_row_rules(inp) := [{
	"id": "data_subject_relative_rows",
	"when": {"attr": "subject", "op": "ne", "value": self_personal_id(inp), "if_unknown": true},
	"subjects": "all",
	"effect": "filter",
	"report": "silent",
	"coordinates": [],
	"row_types": types,
	"reason": "003 Art. 13, 004 Art. 10.2: of a relative, a data subject's record shows their person only",
}] if {
	count(self_relatives(inp)) > 0
	types := sort([t |
		some t in {split(f.coordinate, ".")[0] | some f in inp.fields}
		not t in {"Person", "Query", "Mutation"}
	])
	count(types) > 0
} else := []

# METADATA
# title: "A data subject does not search others by name"
# description: >-
#   004 Art. 9.3, 10.2: the subject reads their own record by their personalId; a name search would tell them
#   who else bears a name (its hits are others' rows, and even filtered their count shows).
# custom:
#   article: "004 Art. 9.3, 10.2"
subject_root_fields(inp) := {call.key: withhold_effect("004 Art. 9.3, 10.2: a data subject reads their own record by personalId and does not search persons by name") |
	some call in object.get(inp, "calls", [])
	call.coordinate in data.rules.name_search_fields
}

# --- consent (004 Art. 9.2, 11, 12) ---------------------------------------------------------------------------

# METADATA
# title: "Purposes that need the data subject's consent"
# description: >-
#   004 Art. 11.1 (consent for every processing), 17 (the exemptions). A purpose needs consent when
#   purposes.json says requires_consent (it must not be exempt_004_art17).
# custom:
#   article: "004 Art. 11.1"
requires_consent(inp) if {
	p := purposes[inp.purpose]
	p.requires_consent == true
	not p.exempt_004_art17 == true
}

# METADATA
# title: "The consent the request named"
# description: >-
#   The consent the request named (X-Consent-Reference), as the gateway found it in its store
#   (gateway/subjects): reference, found, personal_id, agency, purpose, scope, withdrawn, expired.
# custom:
#   article: "004 Art. 11, 12"
consent_of(inp) := c if {
	c := inp.consent
	is_object(c)
} else := {}

# METADATA
# title: "Whether the named consent covers this request, and why not"
# description: >-
#   004 Art. 11.2.b-c (given for this purpose to this agency), 11.9 and 12.4 (effective until withdrawn), 11.4
#   (one purpose at a time). Undefined when the consent is valid.
# custom:
#   article: "004 Art. 11.2.b-c"
consent_problem(inp) := problem if {
	c := consent_of(inp)
	problem := consent_problem_of(c, inp.subject.agency, inp.purpose)
}

# METADATA
# title: "What is wrong with a consent"
# description: >-
#   What is wrong with a consent
# custom:
#   article: "004 Art. 11.2, 12"
consent_problem_of(c, agency, purpose) := "no consent reference declared (X-Consent-Reference)" if {
	not is_string(c.reference)
} else := concat("", ["consent ", c.reference, " is not recorded"]) if {
	not c.found == true
} else := concat("", ["consent ", c.reference, " was withdrawn by the data subject (004 Art. 12)"]) if {
	c.withdrawn == true
} else := concat("", ["consent ", c.reference, " has expired"]) if {
	not c.expired == false
} else := concat("", ["consent ", c.reference, " was given to agency ", shown(object.get(c, "agency", null)), ", not ", shown(agency)]) if {
	not c.agency == agency
} else := concat("", ["consent ", c.reference, " was given for purpose ", shown(object.get(c, "purpose", null)), ", not ", shown(purpose)]) if {
	not c.purpose == purpose
}

# METADATA
# title: "Persons a valid consent covers"
# description: >-
#   The persons a valid consent covers (a consent covers one person).
# custom:
#   article: "004 Art. 11.1"
consented_subjects(inp) := [] if {
	consent_problem(inp)
} else := [c.personal_id] if {
	c := consent_of(inp)
} else := []

# METADATA
# title: "Reason of a consent rule"
# description: >-
#   Reason of a consent rule
# custom:
#   article: "004 Art. 11"
consent_reason(inp) := concat("", ["004 Art. 11: purpose ", shown(inp.purpose), " needs the data subject's consent; ", problem]) if {
	problem := consent_problem(inp)
} else := concat("", ["004 Art. 11: purpose ", shown(inp.purpose), " needs the data subject's consent; consent ", shown(c.reference), " covers person ", shown(c.personal_id), " only"]) if {
	c := consent_of(inp)
}

# METADATA
# title: "Rows of persons who did not consent are withheld"
# description: >-
#   004 Art. 9.2, 11.1, 12.4. For a purpose that needs consent, every row with a subject the named consent does
#   not cover (or every row, when the consent is missing, withdrawn, expired, or for another agency or purpose)
#   has its personal fields withheld; outside the consent's scope (11.2.a, 11.7 - consent may be partial) the
#   consented person's fields of other categories are withheld too.
# custom:
#   article: "004 Art. 9.2, 11.1, 12.4"
consent_rules(inp, effects) := array.concat([{
	"id": "consent_required",
	"when": {"attr": "subject", "op": "not_in", "value": consented_subjects(inp), "if_unknown": true},
	"effect": "withhold",
	"coordinates": coords,
	"reason": consent_reason(inp),
}], consent_scope_rules(inp, effects)) if {
	requires_consent(inp)
	coords := visible_of(inp, effects, personal_categories)
	count(coords) > 0
} else := []

# METADATA
# title: "Consent limited to some categories"
# description: >-
#   Outside the consent's scope (consent may be partial) the consented person's fields of other categories are
#   withheld.
# custom:
#   article: "004 Art. 11.2.a, 11.7"
consent_scope_rules(inp, effects) := [{
	"id": "consent_scope",
	"when": {"attr": "subject", "op": "in", "value": consented_subjects(inp), "if_unknown": true},
	"effect": "withhold",
	"coordinates": coords,
	"reason": concat("", ["004 Art. 11.2.a, 11.7: consent ", shown(consent.reference), " covers categories ", concat(", ", sort(scope)), " only"]),
}] if {
	not consent_problem(inp)
	consent := consent_of(inp)
	scope := {c | some c in consent.scope}
	count(scope) > 0
	coords := visible_of(inp, effects, personal_categories - scope)
	count(coords) > 0
} else := []

