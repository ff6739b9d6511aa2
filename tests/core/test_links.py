"""``core.links.link_maker`` makes exactly the links ``reverse`` makes."""

import pytest
from django.urls import reverse

from core.links import link_maker


@pytest.mark.parametrize("pk", [1, 7, 42, 7391046285, 10**17])
def test_ids_as_reverse_makes_them(pk):
    assert link_maker("trials:detail", "pk")(pk) == reverse("trials:detail", kwargs={"pk": pk})


@pytest.mark.parametrize("slug", ["robot-lab", "a_b-9", "7391046285", "x7391046285x"])
def test_slugs_as_reverse_makes_them(slug):
    link = link_maker("testbeds:manage", "slug")
    assert link(slug) == reverse("testbeds:manage", kwargs={"slug": slug})


def test_the_script_prefix_is_kept():
    from django.urls import set_script_prefix

    set_script_prefix("/sub/")
    try:
        assert link_maker("trials:detail", "pk")(5) == "/sub/trials/5/"
    finally:
        set_script_prefix("/")
