import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._customer import CustomerRef
from schemas._fields import Optional, Required


class Feedback(CustomerRef):
    """客户质量信息反馈登记表 / quality feedback register (registers.md, seed 003)."""
    feedback_no: Series[str] = Required()
    feedback_date: Series[pd.Timestamp] = Required()
    filed_date: Series[pd.Timestamp] = Optional()
    subject: Series[str] = Optional()
    category: Series[str] = Required(isin=["A", "B", "C", "D"])
    handler: Series[str] = Optional()
    dept: Series[str] = Optional()
    completed_date: Series[pd.Timestamp] = Optional()
    remark: Series[str] = Optional()
