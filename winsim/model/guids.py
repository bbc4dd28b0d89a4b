"""GUID helpers: vmcompute's NameToGuid and random upper/lower-case GUIDs.

>>> name_to_guid("abc") == name_to_guid("abc")
True
>>> name_to_guid("abc")[14]
'5'

NameToGuid on Windows is a version-5 (SHA-1, name-based) GUID over the layer name.  Its
namespace is not public; the two real pairs in windows-internals.md §1.4 could not be
reproduced with the standard namespaces, so winsim uses its own fixed namespace: same
name -> same GUID, version nibble 5, but not Windows' exact values.
"""

from __future__ import annotations

import uuid

# winsim's stand-in for vmcompute's (unpublished) NameToGuid namespace.
NAME_TO_GUID_NAMESPACE = uuid.UUID("a9fd3e6b-26c3-5d5c-9d1c-3a1f0c6e7b21")


def name_to_guid(name: str) -> str:
    """Deterministic v5 GUID for a layer name (lower-case, no braces)."""
    if not name:
        raise ValueError("NameToGuid: the name is empty")
    return str(uuid.uuid5(NAME_TO_GUID_NAMESPACE, name.encode("utf-16-le").decode("latin-1")))


def new_guid(upper: bool = False) -> str:
    """A random v4 GUID; HNS writes its ids upper-case."""
    text = str(uuid.uuid4())
    return text.upper() if upper else text
