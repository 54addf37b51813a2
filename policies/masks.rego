# Masks a purpose applies to the fields it may see, by the value kind every field declares in the subgraph
# schemas (@personalData(kind:); docs/PROTECTION.md) and by category. Nothing is inferred from field names.
# Default: statistics never sees names or free text, identifiers are pseudonymised, dates reduced to the year
# and addresses to the province (004 Art. 3.4 minimisation; 000 Art. 13.2: sensitive data anonymised).
package lienthong.authz

import rego.v1

# METADATA
# title: Declared value kind
# description: >-
#   The declared kind of a field (lower case); "unknown" when the schema declares none.
# custom:
#   article: "004 Art. 3.4"
field_kind(f) := f.kind if {
	is_string(f.kind)
	f.kind != ""
} else := "unknown"

# METADATA
# title: Reason of a mask
# description: >-
#   The reason a purpose's mask states: its legal basis, the kind or category masked and the mask.
# custom:
#   article: "004 Art. 3.4"
mask_reason(ctx, mask, by) := sprintf("%s: purpose %s gets %s fields as %s (004 Art. 3.4)", [ctx.basis, ctx.purpose, by, mask])

# METADATA
# title: Mask effect
# description: >-
#   A mask effect, or a withhold effect for the withhold mask.
# custom:
#   article: "004 Art. 3.4"
mask_effect(ctx, mask, by) := {"effect": "withhold", "mask": "withhold", "reason": mask_reason(ctx, mask, by)} if {
	mask == "withhold"
} else := {"effect": "mask", "mask": mask, "reason": mask_reason(ctx, mask, by)}

# METADATA
# title: Masks of a purpose
# description: >-
#   Defined only when the purpose masks this field (ctx: see context in fields.rego). A purpose that masks by
#   kind withholds a field whose kind is not declared: it cannot know what the value is.
# custom:
#   article: "004 Art. 3.4; 000 Art. 13.2"
purpose_mask(ctx, f) := mask_effect(ctx, m, k) if {
	ctx.entry.masks_by_kind
	k := field_kind(f)
	m := ctx.entry.masks_by_kind[k]
} else := mask_effect(ctx, "withhold", "undeclared-kind") if {
	ctx.entry.masks_by_kind
	field_kind(f) == "unknown"
} else := mask_effect(ctx, m, f.category) if {
	m := ctx.entry.masks_by_category[f.category]
}

# METADATA
# title: The statistics office
# description: >-
#   The statistics office (data/rules.json statistics_office) gets the statistics purpose's masks by kind on
#   every field, PUBLIC ones included, whatever purpose it declares or omits: no name, free text or unmasked
#   identifier reaches it by any path (004 Art. 3.4).
# custom:
#   article: "004 Art. 3.4; 000 Art. 13.2"
statistics_office(inp) if inp.subject.kind in data.rules.statistics_office.agency_kinds

# METADATA
# title: Statistics masks on a field
# description: >-
#   The statistics purpose's masks by kind on a field, for the statistics office whatever purpose it declares.
# custom:
#   article: "004 Art. 3.4; 000 Art. 13.2"
statistics_mask(f) := e if {
	entry := purposes[data.rules.statistics_office.purpose]
	ctx := {"entry": entry, "purpose": data.rules.statistics_office.purpose, "basis": entry.legal_basis}
	e := purpose_mask(ctx, f)
}
