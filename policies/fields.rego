# Field-level effects: for every requested coordinate, allow, mask or withhold (first matching rule wins).
#
# Categories are those of 004 Art. 2 (subgraphs/common/classification.py); tunables in data/rules.json.
# Everything that depends only on the caller and the purpose is computed once per evaluation (context), not
# once per field: regopy does not memoise function calls.
package lienthong.authz

import rego.v1

# METADATA
# title: Field effects
# description: >-
#   For every requested coordinate: allow, mask or withhold (first matching rule of base_effect wins); the
#   per-request facts are computed once (context).
# custom:
#   article: "004 Art. 2.3, 2.4, 3.4; 000 Art. 13.2"
field_effects(inp) := effects if {
	ctx := context(inp)
	effects := {f.coordinate: field_effect(ctx, f) | some f in inp.fields}
}

# METADATA
# title: Per-request facts of the field rules
# description: >-
#   What the field rules need about the caller and the declared purpose, computed once per evaluation, not once
#   per field (regopy does not memoise function calls).
# custom:
#   article: "004 Art. 3.3; 000 Art. 13.6.a"
context(inp) := {
	"subject": inp.subject,
	"purpose": purpose_id(inp),
	"entry": object.get(purposes, purpose_id(inp), {}),
	"criminal_kind": inp.subject.kind in data.rules.criminal.agency_kinds,
	"legal_basis": inp.legal_basis_present == true,
	"categories": purpose_categories(inp),
	"needs": {c | some c in object.get(object.get(purposes, purpose_id(inp), {}), "sensitive_needs", [])},
	"requires_legal_basis": object.get(object.get(purposes, purpose_id(inp), {}), "requires_legal_basis", false) == true,
	"basis": object.get(object.get(purposes, purpose_id(inp), {}), "legal_basis", "no purpose"),
	"statistics_office": inp.subject.kind in data.rules.statistics_office.agency_kinds,
	"grant": grant_check(inp),
}

# METADATA
# title: Declared purpose id
# description: >-
#   The declared purpose, or the empty string when none was declared.
# custom:
#   article: "004 Art. 3.3; 000 Art. 13.6.a"
purpose_id(inp) := inp.purpose if is_string(inp.purpose) else := ""

# METADATA
# title: Allow effect
# description: >-
#   An allow effect with its reason (every effect states the article that decided it).
# custom:
#   article: "004 Art. 3.3"
allow_effect(reason) := {"effect": "allow", "mask": null, "reason": reason}

# METADATA
# title: Withhold effect
# description: >-
#   A withhold effect with its reason.
# custom:
#   article: "004 Art. 3.4"
withhold_effect(reason) := {"effect": "withhold", "mask": "withhold", "reason": reason}

# METADATA
# title: Effect of one field
# description: >-
#   The effect of base_effect, made stricter for the statistics office by the statistics masks (masks.rego).
# custom:
#   article: "004 Art. 3.4"
field_effect(ctx, f) := office_effect(ctx, f, base_effect(ctx, f))

# METADATA
# title: Statistics office masks
# description: >-
#   The statistics office gets the statistics masks on every field the rules below did not withhold.
# custom:
#   article: "004 Art. 3.4; 000 Art. 13.2"
office_effect(ctx, f, base) := m if {
	ctx.statistics_office
	base.effect != "withhold"
	m := statistics_mask(f)
} else := base

# METADATA
# title: Field rules
# description: >-
#   First matching rule wins: PUBLIC (no personal data), the access log for the data subject and the DPO (004
#   Art. 9.1, 38.2), an unclassified field is the most restricted (004 Art. 2), CRIMINAL only to criminal
#   justice bodies (004 Art. 2.4.g; 000 Art. 14.4) and with a legal basis (000 Art. 13.3), sensitive data only
#   when the purpose names it (004 Art. 2.4, 3.4), categories the purpose needs (004 Art. 3.3, 3.4), sensitive
#   data with the legal basis the purpose requires (000 Art. 13.2), the purpose's masks (004 Art. 3.4). Each
#   reason names its own article.
# custom:
#   article: "004 Art. 2.3, 2.4, 3.3, 3.4, 9.1, 38.2; 000 Art. 13.2, 13.3, 14.4"
#   branches:
#     - "004 Art. 2.1"
#     - "004 Art. 9.1, 38.2"
#     - "000 Art. 13.3, 13.7"
#     - "004 Art. 2.1, 2.4"
#     - "004 Art. 2.4.g; 000 Art. 13.2, 14.4"
#     - "000 Art. 13.3, 13.6.a"
#     - "000 Art. 13.3, 13.4"
#     - "004 Art. 2.4, 3.4"
#     - "004 Art. 3.3, 3.4"
#     - "000 Art. 13.2"
#     - "004 Art. 3.4"
#     - "004 Art. 3.3 (and the purpose's own legal basis)"
base_effect(ctx, f) := allow_effect("PUBLIC: no personal data") if {
	f.category == "PUBLIC"
} else := allow_effect("004 Art. 9.1, 38.2: the access log, for the data subject or the data-protection officer") if {
	transparency_read(ctx.subject, f.coordinate)
} else := allow_effect("000 Art. 13.3, 13.7: the grants registry, for a grant registrar") if {
	registry_read(ctx.subject, f.coordinate)
} else := withhold_effect(sprintf("unclassified field (category %v): treated as the most restricted", [f.category])) if {
	not f.category in data.rules.categories
} else := withhold_effect("004 Art. 2.4.g, 000 Art. 13.2, 14.4: CRIMINAL data only to courts, procuracies, enforcement and crime prevention bodies") if {
	f.category == "CRIMINAL"
	not ctx.criminal_kind
} else := withhold_effect("000 Art. 13.3, 13.6.a: CRIMINAL data requires a declared legal basis (X-Legal-Basis: case or decision reference)") if {
	f.category == "CRIMINAL"
	data.rules.criminal.requires_legal_basis
	not ctx.legal_basis
} else := withhold_effect(ctx.grant.reason) if {
	# grants.rego: the named grant is not valid now for this agency and purpose
	f.category in grant_categories
	ctx.grant.code != ""
} else := withhold_effect(sprintf("004 Art. 2.4, 3.4: %s data withheld unless the purpose explicitly needs it", [f.category])) if {
	f.category in data.rules.explicit_need_categories
	not f.category in ctx.needs
} else := withhold_effect(sprintf("004 Art. 3.3, 3.4: %s data is not needed for purpose %s", [f.category, ctx.purpose])) if {
	not f.category in ctx.categories
} else := withhold_effect(sprintf("%s: purpose %s releases sensitive data only with a declared legal basis", [ctx.basis, ctx.purpose])) if {
	f.category in data.rules.sensitive_categories
	ctx.requires_legal_basis
	not ctx.legal_basis
} else := m if {
	m := purpose_mask(ctx, f)
} else := allow_effect(sprintf("%s: needed for purpose %s", [ctx.basis, ctx.purpose]))

# METADATA
# title: Categories a purpose may touch
# description: >-
#   The purpose's categories and sensitive needs (limited to what the purpose needs); none without a purpose,
#   when only PUBLIC fields are requested (otherwise the request is refused).
# custom:
#   article: "004 Art. 3.4"
purpose_categories(inp) := {c | some c in p.categories} | {c | some c in p.sensitive_needs} if {
	p := purposes[inp.purpose]
} else := set()
