import pandera.pandas as pa
from pandera.typing import Series

from schemas._customer import CustomerRef
from schemas._fields import Required


class CustomerScorecards(CustomerRef):
    """顾客计分卡 / customer-issued scorecards (registers.md): month as YYYY-MM, score 0–100."""
    month: Series[str] = Required(str_matches=r"^\d{4}-\d{2}$")
    score: Series[float] = Required(ge=0, le=100)
