"""Every write of the vendors app: the vendor list (``catalog``) and the cases a ticket
opens with vendors (``cases``). Adapters import the functions from here."""

from vendors.services.cases import close_case, note_public_update, open_case, record_update
from vendors.services.catalog import create_vendor, update_vendor

__all__ = [
    "close_case",
    "create_vendor",
    "note_public_update",
    "open_case",
    "record_update",
    "update_vendor",
]
