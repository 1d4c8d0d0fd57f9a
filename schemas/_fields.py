"""Shared field constraints for the register models (pandera's `functools.partial(Field, …)` habit)."""
from functools import partial

import pandera.pandas as pa

#: a column the register requires a value in (registers.md "required: yes")
Required = partial(pa.Field, nullable=False)
#: an optional value
Optional = partial(pa.Field, nullable=True)
#: a quantity or amount that cannot be negative
NonNegative = partial(pa.Field, nullable=True, ge=0)
#: an optional column that may be missing from the frame entirely (never, after staging: kept for clarity)
Text = partial(pa.Field, nullable=True)
