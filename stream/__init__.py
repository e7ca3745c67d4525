"""crimecast stream package: incident records, producers, the counting consumer, the count store.

Imports nothing else of crimecast. Every Redis key name lives in :mod:`stream.keys`.
"""

from .categories import CategorySet
from .batch_apply import BatchResult
from .consumer import Consumer
from .dead_letters import DeadLetter, read_dead_letters, replay_dead_letters
from .forecast_archive import ForecastArchive
from .forecast_cache import CachedForecast, ForecastCache
from .keys import Keys
from .liveness import ConsumerState, GroupStatus, group_status
from .months import close_month, due_months
from .producer import Producer, Rejected, ensure_group
from .records import SCHEMA_VERSION, Incident, RecordError
from .store import CountStore, SeriesKey

__all__ = [
    "BatchResult",
    "CachedForecast",
    "CategorySet",
    "Consumer",
    "ConsumerState",
    "CountStore",
    "GroupStatus",
    "group_status",
    "DeadLetter",
    "ForecastArchive",
    "ForecastCache",
    "Incident",
    "Keys",
    "Producer",
    "RecordError",
    "Rejected",
    "SCHEMA_VERSION",
    "SeriesKey",
    "close_month",
    "due_months",
    "ensure_group",
    "read_dead_letters",
    "replay_dead_letters",
]
