# Transparency: the data subject may know who accessed their data (004 Art. 9.1; 000 Art. 13.7), and the
# data-protection officer inspects the processing logs (004 Art. 38.2). Neither processes the data for a purpose
# of their own, so reading the access log needs no X-Purpose; the gateway's accessLog resolver still checks that
# a data subject reads only their own log. Roles and coordinates: data/rules.json "transparency".
package lienthong.authz

import rego.v1

transparency_read(subject, coordinate) if {
	subject.role in data.rules.transparency.roles
	transparency_coordinate(coordinate)
}

transparency_coordinate(coordinate) if coordinate in data.rules.transparency.root_fields

transparency_coordinate(coordinate) if {
	type_name := split(coordinate, ".")[0]
	type_name in data.rules.transparency.types
}
