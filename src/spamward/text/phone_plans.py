"""Rules from numbering plans: what a number of its country looks like when written."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

# Not public API, but typed in the package's stubs and the check the matcher's VALID level
# itself makes; rewriting it would copy the library's metadata handling. The dependency is
# pinned below the next major version, and tests/test_phones_suite.py fails if it changes.
from phonenumbers.phonenumbermatcher import _is_national_prefix_present_if_required

from spamward.text import phone_shapes
from spamward.text.phone_candidate import Candidate
from spamward.text.phone_reader import MIN_DIGITS


def not_written_as_a_local_number(candidate: Candidate) -> bool:
    """4280703 or 85555 16: a local-only number must look like one (555-1234)."""
    reason = phonenumbers.is_possible_number_with_reason(candidate.number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return False
    return candidate.raw.isdigit() or phone_shapes.last_group_length(candidate.raw) < 4


_NORTH_AMERICAN = re.compile(r"[2-9]\d{9}|[2-9]\d{6}")


def outside_the_north_american_plan(candidate: Candidate) -> bool:
    """0906346330 read as a US number: North American area codes never start with 0 or 1."""
    if candidate.number.country_code != 1:
        return False
    national = phonenumbers.national_significant_number(candidate.number)
    return _NORTH_AMERICAN.fullmatch(national) is None


def unbroken_and_outside_its_plan(candidate: Candidate) -> bool:
    """4280703 in Britain: a bare digit string counts as a number only where its country
    has numbers that look like it (the plan's general pattern)."""
    return candidate.raw.isdigit() and not _in_general_plan(candidate.number)


def _in_general_plan(number: phonenumbers.PhoneNumber) -> bool:
    pattern = _general_pattern(number.country_code)
    national = phonenumbers.national_significant_number(number)
    return pattern is None or pattern.fullmatch(national) is not None


@lru_cache(maxsize=512)
def _general_pattern(country_code: int) -> re.Pattern[str] | None:
    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None or metadata.general_desc is None:
        return None
    pattern = metadata.general_desc.national_number_pattern
    return re.compile(pattern) if pattern else None


def missing_its_trunk_prefix(candidate: Candidate) -> bool:
    """20 7946 0018 in Britain, 4280703 in Germany: written nationally, a number carries the
    trunk prefix (020 7946 0018) where its country's format has one (libphonenumber's VALID
    level checks the same)."""
    if candidate.raw[0] in "+＋" or not _formats_with_trunk_prefix(candidate.region):
        return False
    try:
        number = phonenumbers.parse(candidate.raw, candidate.region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return False
    return not _is_national_prefix_present_if_required(number)


@lru_cache(maxsize=512)
def _formats_with_trunk_prefix(region: str) -> bool:
    """Whether some national format of the region's country writes a trunk prefix for sure."""
    country_code = phonenumbers.country_code_for_region(region)
    main_region = phonenumbers.region_code_for_country_code(country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(main_region)
    formats = metadata.number_format if metadata is not None else []
    return any(
        form.national_prefix_formatting_rule and not form.national_prefix_optional_when_formatting
        for form in formats
    )


def too_short(candidate: Candidate) -> bool:
    """Fewer digits than the shortest run worth reading: same answer with or without context."""
    written = sum(character.isdigit() for character in candidate.raw)
    return written - len(candidate.number.extension or "") < MIN_DIGITS
