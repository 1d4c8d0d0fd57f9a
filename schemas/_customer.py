"""The customer reference every transactional register carries: a code, a name, or both."""
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import Optional


class CustomerRef(pa.DataFrameModel):
    customer_code: Series[str] = Optional()
    customer_name: Series[str] = Optional()

    @pa.dataframe_check(ignore_na=False)
    def customer_given(cls, df: pd.DataFrame) -> pd.Series:
        """registers.md: "customer" means either customer_code or customer_name must be present."""
        return df["customer_code"].notna() | df["customer_name"].notna()

    class Config:
        strict = False
        coerce = False
