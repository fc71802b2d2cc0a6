"""The client's address: X-Forwarded-For is believed only from the configured proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from jiceng.core.audit import audit, client_ip

pytestmark = pytest.mark.django_db


def request_from(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_a_forged_forwarded_header_from_a_client_that_is_no_proxy_is_ignored(settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.5"]
    forged = request_from("198.51.100.9", "203.0.113.7")
    entry = audit(actor=None, action="test.action", request=forged)
    assert entry.ip == "198.51.100.9"


def test_the_header_from_a_configured_proxy_names_the_client(settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.5"]
    through_proxy = request_from("10.0.0.5", "203.0.113.7")
    entry = audit(actor=None, action="test.action", request=through_proxy)
    assert entry.ip == "203.0.113.7"


def test_what_the_client_wrote_left_of_the_proxy_s_entry_proves_nothing(settings):
    # the client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real address
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.0/8"]
    assert client_ip(request_from("10.0.0.5", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    # two proxies in a row (load balancer 10.0.0.1, then the local nginx)
    assert client_ip(request_from("10.0.0.5", "1.2.3.4, 203.0.113.7, 10.0.0.1")) == "203.0.113.7"


def test_garbage_in_the_chain_stops_at_the_last_hop_that_can_be_vouched_for(settings):
    settings.FORWARDED_ALLOW_IPS = ["10.0.0.5"]
    assert client_ip(request_from("10.0.0.5", "<script>, not-an-ip")) == "10.0.0.5"
    assert client_ip(request_from("10.0.0.5", "")) == "10.0.0.5"


def test_ipv6_proxies_and_clients(settings):
    settings.FORWARDED_ALLOW_IPS = ["::1"]
    assert client_ip(request_from("::1", "2001:db8::7")) == "2001:db8::7"
    assert client_ip(request_from("2001:db8::9", "2001:db8::7")) == "2001:db8::9"


def test_the_login_lockout_uses_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.FORWARDED_ALLOW_IPS = ["10.0.0.5"]
    assert get_client_ip_address(request_from("198.51.100.9", "203.0.113.7")) == "198.51.100.9"
    assert get_client_ip_address(request_from("10.0.0.5", "203.0.113.7")) == "203.0.113.7"
