"""@interfaceObject, indirect extension: ``playlists`` only references ``Media`` through a non-resolvable
interface object (``@key(fields: "id", resolvable: false) @interfaceObject``, nothing but the id), ``stats``
extends it with ``plays`` through another interface object, ``media`` owns the interface. A playlist's items
reach their concrete type and title through media, and their plays through stats.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

MEDIA = {
    "m1": {"__typename": "Song", "id": "m1", "title": "Ly cay bong", "artist": "Hong Nhung"},
    "m2": {"__typename": "Podcast", "id": "m2", "title": "Law today", "host": "Minh Chau"},
    "m3": {"__typename": "Song", "id": "m3", "title": "Diem xua", "artist": "Khanh Ly"},
}
PLAYS = {"m1": 120, "m2": 45, "m3": 300}


def _media(ref: dict[str, Any], info: Any) -> dict[str, Any] | None:
    return MEDIA.get(ref["id"])


MEDIA_SG = Subgraph(
    "media",
    link("@key") + """
type Query {
  allMedia: [Media!]!
}
interface Media @key(fields: "id") {
  id: ID!
  title: String!
}
type Song implements Media @key(fields: "id") {
  id: ID!
  title: String!
  artist: String!
}
type Podcast implements Media @key(fields: "id") {
  id: ID!
  title: String!
  host: String!
}
""",
    {"Query": {"allMedia": lambda *_: list(MEDIA.values())},
     "Media": {"__resolveReference": _media, "__resolveType": lambda obj, info: obj["__typename"]},
     "Song": {"__resolveReference": _media}, "Podcast": {"__resolveReference": _media}},
)

STATS = Subgraph(
    "stats",
    link("@key", "@interfaceObject") + """
type Media @key(fields: "id") @interfaceObject {
  id: ID!
  plays: Int!
}
""",
    {"Media": {"__resolveReference": lambda ref, info: {**ref, "plays": PLAYS[ref["id"]]} if ref["id"] in PLAYS
               else None}},
)

PLAYLISTS = Subgraph(
    "playlists",
    link("@key", "@interfaceObject") + """
type Query {
  playlist: Playlist
}
type Playlist @key(fields: "id") {
  id: ID!
  name: String!
  items: [Media!]!
}
type Media @key(fields: "id", resolvable: false) @interfaceObject {
  id: ID!
}
""",
    {"Query": {"playlist": lambda *_: {"id": "pl1", "name": "Evening",
                                        "items": [{"__typename": "Media", "id": i} for i in ("m3", "m2", "m1")]}}},
)

CASE = Case(
    name="interface_object_indirect",
    features=("@interfaceObject", "@interfaceObject indirect extension", "non-resolvable @interfaceObject",
              "@key resolvable: false"),
    subgraphs=(MEDIA_SG, STATS, PLAYLISTS),
    operations=(
        Op("ids_only_no_hop", "{ playlist { name items { id } } }"),
        Op("concrete_typename", "{ playlist { items { __typename id } } }"),
        Op("fields_from_owner_and_extension", "{ playlist { items { title plays } } }"),
        Op("type_conditions", "{ playlist { items { ... on Song { artist } ... on Podcast { host plays } } } }"),
        Op("extension_from_the_owner_root", "{ allMedia { __typename title plays } }"),
    ),
)
