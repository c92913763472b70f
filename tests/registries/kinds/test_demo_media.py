"""The media registry's demo data (wpsnap/demo/registries_media.py): realistic records written through the
generic services; a second load writes nothing."""

from __future__ import annotations

from random import Random

import pytest

from wpsnap.demo.registries_media import load
from wpsnap.registries.media.models import MediaItem, MediaOutlet

pytestmark = pytest.mark.django_db


def test_load_twice(events_plan, make_user):
    make_user("coordinator", "scfwca", "coordinator")
    make_user("focal_point", "mod", "mod.focal")
    first = load(events_plan, Random(1325))
    assert first.outlets == 6
    assert first.items >= 1
    assert MediaItem.objects.filter(outlet__isnull=False).count() == first.items
    again = load(events_plan, Random(1325))
    assert (again.outlets, again.items) == (0, 0)
    assert MediaOutlet.objects.count() == 6
