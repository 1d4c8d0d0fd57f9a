import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._customer import CustomerRef
from schemas._fields import Optional, Required


class CustomerAudits(CustomerRef):
    """顾客稽核记录 / customer audit findings (registers.md, seed 000 §4.2.7)."""
    audit_date: Series[pd.Timestamp] = Required()
    finding: Series[str] = Required()
    finding_type: Series[str] = Required(isin=["positive", "nonconformity", "suggestion"])
    responsible_dept: Series[str] = Optional()
    due_date: Series[pd.Timestamp] = Optional()
    closed_date: Series[pd.Timestamp] = Optional()
    verified: Series[pd.BooleanDtype] = Optional()
