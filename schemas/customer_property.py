import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._customer import CustomerRef
from schemas._fields import Optional, Required


class CustomerProperty(CustomerRef):
    """顾客财产登记表 / customer property register (registers.md, seed 000 §4.1)."""
    property_no: Series[str] = Required()
    name: Series[str] = Optional()
    kind: Series[str] = Optional(isin=["material", "tooling", "equipment", "document", "other"])
    registered_date: Series[pd.Timestamp] = Optional()
    status: Series[str] = Required(isin=["in_use", "lost", "damaged", "unsuitable", "returned"])
    event_date: Series[pd.Timestamp] = Optional()
    reported_date: Series[pd.Timestamp] = Optional()

    @pa.dataframe_check(ignore_na=False)
    def event_date_when_lost_or_damaged(cls, df: pd.DataFrame) -> pd.Series:
        """event_date is required when status is lost, damaged or unsuitable."""
        incident = df["status"].isin(["lost", "damaged", "unsuitable"])
        return ~incident | df["event_date"].notna()
