from typing import Optional

import wacrm
from wacrm import errors


def handle(body: bytes) -> Optional[float]:
    e: Optional[wacrm.WacrmError] = errors.from_graph_body(body, 429)
    if isinstance(e, wacrm.RateLimitedError):
        details: wacrm.ErrorDetails = e.details
        return e.retry_after if details.retryable else None
    return None
