import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._customer import CustomerRef
from schemas._fields import Optional, Required


class Service(CustomerRef):
    """报修登记表 / after-sales service register (registers.md, seed 001)."""
    service_no: Series[str] = Required()
    request_date: Series[pd.Timestamp] = Required()
    service_date: Series[pd.Timestamp] = Optional()
    type: Series[str] = Required(isin=["repair", "install", "training", "warranty_repair",
                                       "warranty_replace", "warranty_return", "other"])
    rating: Series[str] = Optional(isin=["satisfied", "neutral", "dissatisfied"])
