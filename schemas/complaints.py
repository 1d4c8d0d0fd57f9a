import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._customer import CustomerRef
from schemas._fields import NonNegative, Optional, Required


def _not_before(later: pd.Series, received: pd.Series) -> pd.Series:
    # Compared by calendar day: a reply dated the day of receipt, written without a time, is not
    # "earlier" than a complaint logged at 14:30 that day.
    early = later.dt.normalize() < received.dt.normalize()
    return ~early.fillna(False).astype(bool)


class Complaints(CustomerRef):
    """顾客抱怨事件登录表 / complaint register (registers.md)."""
    complaint_no: Series[str] = Required()
    received_date: Series[pd.Timestamp] = Required()
    part_no: Series[str] = Optional()
    lot_no: Series[str] = Optional()
    category: Series[str] = Required(isin=["A", "B", "C", "unclassified"])
    severity: Series[str] = Required(isin=["urgent", "normal"])
    description: Series[str] = Optional()
    defect_qty: Series[pd.Int64Dtype] = Required(ge=0)
    root_cause: Series[str] = Required(isin=["man", "machine", "material", "method", "environment",
                                            "measurement", "undetermined"])
    responsible_dept: Series[str] = Optional()
    first_response_at: Series[pd.Timestamp] = Optional()
    report_8d_at: Series[pd.Timestamp] = Optional()
    closed_date: Series[pd.Timestamp] = Optional()
    verified: Series[pd.BooleanDtype] = Optional()
    claim_amount: Series[float] = NonNegative()
    batch_reject: Series[pd.BooleanDtype] = Required()
    defect_code: Series[str] = Optional()

    @pa.dataframe_check(ignore_na=False)
    def response_not_before_received(cls, df: pd.DataFrame) -> pd.Series:
        """Rejected: a response earlier than the received date."""
        return _not_before(df["first_response_at"], df["received_date"])

    @pa.dataframe_check(ignore_na=False)
    def report_8d_not_before_received(cls, df: pd.DataFrame) -> pd.Series:
        """Rejected: an 8D earlier than the received date."""
        return _not_before(df["report_8d_at"], df["received_date"])

    @pa.dataframe_check(ignore_na=False)
    def closure_not_before_received(cls, df: pd.DataFrame) -> pd.Series:
        """Rejected: a closure earlier than the received date."""
        return _not_before(df["closed_date"], df["received_date"])
