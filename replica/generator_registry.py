"""The story types the generator draws from, gathered from the per-rubric template modules."""

from __future__ import annotations

from replica.generator_economy import STORY_TYPES as ECONOMY
from replica.generator_institutions import STORY_TYPES as INSTITUTIONS
from replica.generator_politics import STORY_TYPES as POLITICS
from replica.generator_society import STORY_TYPES as SOCIETY
from replica.generator_types import StoryType
from replica.generator_war import STORY_TYPES as WAR

ALL_TYPES: tuple[StoryType, ...] = (*WAR, *ECONOMY, *POLITICS, *INSTITUTIONS, *SOCIETY)
