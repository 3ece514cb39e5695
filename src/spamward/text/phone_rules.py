"""What a possible phone number found in text clearly is not.

libphonenumber at POSSIBLE leniency accepts any digits of a plausible length. Each rule
looks at the match (`phone_shapes`), its surroundings (`phone_context`) or the number read
from it (`phone_plans`) and names what else it is; `reason_to_reject` returns the first such
name, or None when nothing objects.
"""

from __future__ import annotations

from collections.abc import Callable

from spamward.text import phone_context, phone_plans, phone_shapes
from spamward.text.phone_candidate import Candidate


def reason_to_reject(candidate: Candidate) -> str | None:
    for name, objects in _RULES:
        if objects(candidate):
            return name
    return None


def _shape(test: Callable[[str], bool]) -> Callable[[Candidate], bool]:
    return lambda candidate: test(candidate.raw)


_RULES: tuple[tuple[str, Callable[[Candidate], bool]], ...] = (
    ("too short", phone_plans.too_short),
    ("glued to an amount", phone_context.glued_to_an_amount),
    ("next to money", phone_context.next_to_money),
    ("inside a code", phone_context.inside_a_code),
    ("part of a card number", phone_context.part_of_a_card_number),
    ("a labelled identifier", phone_context.labelled_identifier),
    ("a date", _shape(phone_shapes.is_date)),
    ("a version, IP address or decimal", _shape(phone_shapes.is_version_ip_address_or_decimal)),
    ("a count", _shape(phone_shapes.is_count)),
    ("an ISBN", _shape(phone_shapes.is_isbn)),
    ("a long digit string", _shape(phone_shapes.is_long_digit_string)),
    ("not written as a local number", phone_plans.not_written_as_a_local_number),
    ("outside the North American plan", phone_plans.outside_the_north_american_plan),
    ("missing its trunk prefix", phone_plans.missing_its_trunk_prefix),
    ("unbroken and outside its plan", phone_plans.unbroken_and_outside_its_plan),
)
