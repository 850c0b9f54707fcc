"""Signals of the core area, for later apps to react without an upward import (ARCHITECTURE
rule 1).

- ``parameters_changed(sender=GeneralParameters, parameters, changed)`` — sent *inside* the
  transaction of ``parameters_update`` with the names of the changed fields, so a receiver's
  writes (e.g. RADIUS's blocked group) commit or roll back with the change.
"""

from django.dispatch import Signal

parameters_changed = Signal()
