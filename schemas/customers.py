import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import NonNegative, Optional, Required


class Customers(pa.DataFrameModel):
    """客户清单 / customer master (registers.md)."""
    customer_code: Series[str] = Required()
    customer_name: Series[str] = Required()
    segment: Series[str] = Required(isin=["automotive", "non-automotive"])
    annual_order_value: Series[float] = NonNegative()
    key_customer: Series[pd.BooleanDtype] = Required()
    ppm_target: Series[float] = Optional(gt=0)

    class Config:
        strict = False
        coerce = False
