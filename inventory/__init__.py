"""Host inventories: YAML files listing the hosts a run targets, validated on load.

>>> from inventory import load_inventory
>>> inv = load_inventory("inventory/sim.yml")          # doctest: +SKIP
>>> [h.name for h in inv.select(tags=["ltsc2022"])]    # doctest: +SKIP
['ws2022-sim']
"""

from inventory.load import DEFAULT_INVENTORY, InventoryError, load_inventory
from inventory.model import HostSpec, Inventory

__all__ = ["DEFAULT_INVENTORY", "HostSpec", "Inventory", "InventoryError", "load_inventory"]
