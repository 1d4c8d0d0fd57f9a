import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._customer import CustomerRef
from schemas._fields import Optional, Required


class Visits(CustomerRef):
    """客户走访记录 / customer visit log (registers.md, seed 003 §4.8)."""
    visit_date: Series[pd.Timestamp] = Required()
    visitor: Series[str] = Optional()
    report_date: Series[pd.Timestamp] = Optional()
    findings: Series[str] = Optional()
