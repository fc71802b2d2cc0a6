"""core.models.ScopedModel: the one declaration of ``scope_code`` and of how it follows a place."""

from __future__ import annotations

import pytest
from django.apps import apps

from jiceng.core.models import AuditEntry, ScopedModel, ScopedQuerySet, UnindexedScopedModel
from jiceng.partners.models import Partner


def _models_with_a_scope_code():
    for model in apps.get_models():
        if any(f.name == "scope_code" for f in model._meta.concrete_fields):
            yield model


def test_every_record_with_a_scope_code_takes_it_from_scoped_model():
    # The audit log's scope_code is a copy made when the entry is written, blank for no place.
    scoped = [m for m in _models_with_a_scope_code() if m is not AuditEntry]
    assert len(scoped) >= 25
    for model in scoped:
        assert issubclass(model, ScopedModel), model
        assert isinstance(model._default_manager.all(), ScopedQuerySet), model


def test_an_unindexed_scope_code_is_headed_by_an_index_of_its_model_or_deliberately_plain():
    from jiceng.cases.models import Case

    assert Partner._meta.get_field("scope_code").db_index
    assert issubclass(Case, UnindexedScopedModel)
    assert not Case._meta.get_field("scope_code").db_index
    assert any(index.fields[0] == "scope_code" for index in Case._meta.indexes)


@pytest.mark.django_db
def test_a_record_takes_the_code_of_its_place_when_saved(places):
    partner = Partner.objects.create(name="供电公司", kind="enterprise", division=places["street"])
    assert partner.scope_code == places["street"].code
    partner.division_id = places["community"].pk  # the place named by id, not object
    partner.save()
    partner.refresh_from_db()
    assert partner.scope_code == places["community"].code
    assert list(Partner.objects.within(places["community"].code)) == [partner]


@pytest.mark.django_db
def test_a_save_of_other_fields_neither_reads_the_place_nor_changes_the_code(
    places, django_assert_num_queries
):
    partner = Partner.objects.create(name="供电公司", kind="enterprise", division=places["street"])
    again = Partner.objects.get(pk=partner.pk)
    with django_assert_num_queries(1):
        again.name = "江边供电所"
        again.save(update_fields=["name"])
    again.division_id = places["community"].pk
    again.save(update_fields=["division"])  # scope_code is written with the place it follows
    partner.refresh_from_db()
    assert (partner.name, partner.scope_code) == ("江边供电所", places["community"].code)


@pytest.mark.django_db
def test_a_record_placed_by_its_service_keeps_the_code_it_was_given(places):
    from jiceng.registry.models import Compound

    compound = Compound.objects.create(
        community=places["community"], name="滨江花园", scope_code=places["community"].code
    )
    assert Compound.scope_place == ""
    assert Compound.objects.within(places["street"].code).get() == compound


@pytest.mark.django_db
def test_a_community_record_follows_its_community(places):
    from jiceng.community.models import Need

    need = Need.objects.create(community=places["community"], title="加装电梯", source="visit")
    assert need.scope_code == places["community"].code
    need.community = places["neighbour"]
    need.save()
    assert Need.objects.within(places["neighbour"].code).get() == need
