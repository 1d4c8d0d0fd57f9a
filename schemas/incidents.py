import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._customer import CustomerRef
from schemas._fields import NonNegative, Optional, Required


class Incidents(CustomerRef):
    """其他事件 / customer incidents: 特采, fines, premium freight … (registers.md)."""
    date: Series[pd.Timestamp] = Required()
    type: Series[str] = Required(isin=["special_acceptance", "fine", "premium_freight", "recall",
                                       "late_8d", "other"])
    count: Series[pd.Int64Dtype] = Required(ge=1)
    amount: Series[float] = NonNegative()
    description: Series[str] = Optional()
