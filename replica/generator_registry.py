"""The story types the generator draws from, gathered from the per-rubric template modules."""

from __future__ import annotations

from unn_ingest.replica.generator_economy import STORY_TYPES as ECONOMY
from unn_ingest.replica.generator_institutions import STORY_TYPES as INSTITUTIONS
from unn_ingest.replica.generator_politics import STORY_TYPES as POLITICS
from unn_ingest.replica.generator_society import STORY_TYPES as SOCIETY
from unn_ingest.replica.generator_types import StoryType
from unn_ingest.replica.generator_war import STORY_TYPES as WAR

ALL_TYPES: tuple[StoryType, ...] = (*WAR, *ECONOMY, *POLITICS, *INSTITUTIONS, *SOCIETY)
