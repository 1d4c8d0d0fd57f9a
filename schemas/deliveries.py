import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._customer import CustomerRef
from schemas._fields import NonNegative, Optional, Required


class Deliveries(CustomerRef):
    """订单交货进度表 / delivery schedule: one row is one delivery lot (registers.md)."""
    order_no: Series[str] = Required()
    lot_no: Series[str] = Optional()
    part_no: Series[str] = Optional()
    due_date: Series[pd.Timestamp] = Required()
    delivered_date: Series[pd.Timestamp] = Optional()      # blank = not delivered
    qty_due: Series[pd.Int64Dtype] = Required(ge=0)
    qty_delivered: Series[pd.Int64Dtype] = NonNegative()
    plant: Series[str] = Optional()

    @pa.dataframe_check(ignore_na=False)
    def delivered_within_a_year_of_due(cls, df: pd.DataFrame) -> pd.Series:
        """Rejected: a delivered date more than 366 days before the due date."""
        early = (df["due_date"] - df["delivered_date"]) > pd.Timedelta(days=366)
        return ~early.fillna(False).astype(bool)
