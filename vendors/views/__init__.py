"""Pages of the vendors app: the vendor list (``catalog``) and the ticket page's case
actions (``cases``)."""

from vendors.views.cases import case_close, case_open, case_update
from vendors.views.catalog import vendor_edit, vendor_list

__all__ = ["case_close", "case_open", "case_update", "vendor_edit", "vendor_list"]
